import AlmanacCore
import Foundation

/// One value of an item's match key, normalised so that what a person would call the same value
/// compares equal: text case-folded with its white space collapsed and trimmed, an instant as the
/// whole second it falls in (whatever zone it was written in), a date as the date.
public enum MatchValue: Hashable, Sendable {
    /// Normalised text (made by `text(_:)`).
    case folded(String)
    case instant(Int64)
    case day(CivilDate)

    /// `raw` normalised; nil when absent or only white space (an item without a value is never
    /// matched on it).
    public static func text(_ raw: String?) -> MatchValue? {
        guard let raw else { return nil }
        let words = raw.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        guard !words.isEmpty else { return nil }
        let collapsed = words.joined(separator: " ")
        return .folded(collapsed.folding(options: [.caseInsensitive], locale: Locale(identifier: "en_US_POSIX")))
    }

    /// An instant, to the second.
    public static func instant(_ date: Date) -> MatchValue {
        .instant(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    public static func time(_ time: EventTime) -> MatchValue {
        switch time {
        case .instant(let d, _): return .instant(d)
        case .allDay(let day): return .day(day)
        }
    }
}

/// Pairs the unlinked items of two sides by their match keys, for a first link (issue 19): an
/// item whose key exactly one item of the other side shares, and that one no other, is linked to
/// it; items sharing a key with more than one item of the other side (in either direction) are
/// ambiguous and reported as a group, never guessed. Items whose key no item of the other side
/// has are left out of both (they are created as new).
///
/// It knows items only by their keys and key values, not what they are (events now, contacts by
/// email, phone and name later).
public struct FirstLinkMatcher: Sendable {
    /// An unlinked item: its key on its side and its match key (one value per match field).
    public struct Candidate: Sendable, Hashable {
        public var key: String
        public var values: [MatchValue]

        public init(key: String, values: [MatchValue]) {
            self.key = key
            self.values = values
        }
    }

    public struct Pair: Sendable, Hashable {
        public var from: String
        public var to: String
    }

    public struct Result: Sendable {
        /// One-to-one matches, by `from` key.
        public var pairs: [Pair] = []
        /// Groups of items sharing one key where either side has more than one (keys sorted,
        /// groups by their first `from` key).
        public var ambiguous: [AmbiguousMatch] = []
    }

    /// The matches between `from` and `to` (each key at most once per side).
    public static func match(from: [Candidate], to: [Candidate]) -> Result {
        var toByValues: [[MatchValue]: [String]] = [:]
        for c in to { toByValues[c.values, default: []].append(c.key) }
        var fromByValues: [[MatchValue]: [String]] = [:]
        for c in from where toByValues[c.values] != nil { fromByValues[c.values, default: []].append(c.key) }
        var result = Result()
        for (values, fromKeys) in fromByValues {
            let toKeys = toByValues[values]!
            if fromKeys.count == 1 && toKeys.count == 1 {
                result.pairs.append(Pair(from: fromKeys[0], to: toKeys[0]))
            } else {
                result.ambiguous.append(AmbiguousMatch(from: fromKeys.sorted(), to: toKeys.sorted()))
            }
        }
        result.pairs.sort { $0.from < $1.from }
        result.ambiguous.sort { $0.from[0] < $1.from[0] }
        return result
    }
}
