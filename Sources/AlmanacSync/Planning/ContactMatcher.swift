import AlmanacCore
import Foundation

/// Pairs the unlinked contacts of two sides for a first link (issue 18), stage by stage
/// (`ContactMatchRule`: e-mail, then phone, then name with a shared e-mail or phone). At each
/// stage a contact's values (all its e-mail addresses, all its phones…) are compared with those
/// of the other side's contacts still unpaired: contacts joined by shared values form groups; a
/// group of one `from` and one `to` contact is a pair, a larger group is ambiguous and held back
/// (reported, neither linked nor created, and left out of later stages). A contact sharing no
/// value at a stage goes on to the next.
struct ContactMatcher {
    struct Candidate: Sendable, Hashable {
        var key: String
        var contact: Contact
    }

    struct Pair: Sendable, Hashable {
        var from: String
        var to: String
        var rule: ContactMatchRule
    }

    struct Ambiguous: Sendable, Hashable {
        var match: AmbiguousMatch
        var rule: ContactMatchRule
    }

    struct Result: Sendable {
        var pairs: [Pair] = []
        var ambiguous: [Ambiguous] = []
    }

    let rules: [ContactMatchRule]
    let defaultRegion: String?

    func match(from: [Candidate], to: [Candidate]) -> Result {
        var result = Result()
        var fromLeft = from.sorted { $0.key < $1.key }
        var toLeft = to.sorted { $0.key < $1.key }
        for rule in rules where !fromLeft.isEmpty && !toLeft.isEmpty {
            let done = stage(rule, from: fromLeft, to: toLeft, into: &result)
            fromLeft.removeAll { done.from.contains($0.key) }
            toLeft.removeAll { done.to.contains($0.key) }
        }
        result.pairs.sort { $0.from < $1.from }
        result.ambiguous.sort { $0.match.from[0] < $1.match.from[0] }
        return result
    }

    /// One stage: the pairs and ambiguous groups it finds go into `result`; returns the keys of
    /// both sides it settled.
    private func stage(
        _ rule: ContactMatchRule, from: [Candidate], to: [Candidate], into result: inout Result
    ) -> (from: Set<String>, to: Set<String>) {
        var toByValue: [String: [Int]] = [:]
        for (i, c) in to.enumerated() {
            for v in values(rule, c.contact) { toByValue[v, default: []].append(i) }
        }
        // Groups of shared values: union-find over `from` (0..<n) and `to` (n..<n+m) positions.
        var parent = Array(0..<(from.count + to.count))
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        var joined = Set<Int>()
        for (i, c) in from.enumerated() {
            for v in values(rule, c.contact) {
                for j in toByValue[v] ?? [] {
                    let a = root(i)
                    let b = root(from.count + j)
                    if a != b { parent[a] = b }
                    joined.insert(i)
                    joined.insert(from.count + j)
                }
            }
        }
        var groups: [Int: (from: [String], to: [String])] = [:]
        for i in joined.sorted() {
            let r = root(i)
            if i < from.count {
                groups[r, default: ([], [])].from.append(from[i].key)
            } else {
                groups[r, default: ([], [])].to.append(to[i - from.count].key)
            }
        }
        var settledFrom = Set<String>()
        var settledTo = Set<String>()
        for group in groups.values {
            settledFrom.formUnion(group.from)
            settledTo.formUnion(group.to)
            if group.from.count == 1 && group.to.count == 1 {
                result.pairs.append(Pair(from: group.from[0], to: group.to[0], rule: rule))
            } else {
                result.ambiguous.append(
                    Ambiguous(match: AmbiguousMatch(from: group.from.sorted(), to: group.to.sorted()), rule: rule))
            }
        }
        return (settledFrom, settledTo)
    }

    /// What `contact` offers at the stage `rule`: its e-mail addresses lower-cased; its phones in
    /// E.164; its shown name with each of its addresses and phones (a phone that cannot be
    /// normalised by its digits).
    func values(_ rule: ContactMatchRule, _ contact: Contact) -> Set<String> {
        let emails = contact.emails.compactMap { e -> String? in
            let a = e.address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            return a.isEmpty ? nil : a
        }
        switch rule {
        case .email: return Set(emails)
        case .phone: return Set(contact.phones.compactMap { e164($0.number) })
        case .name:
            guard let name = contact.shownName, !name.isEmpty else { return [] }
            let phones = contact.phones.compactMap { p -> String? in
                if let n = e164(p.number) { return n }
                let digits = p.number.filter(\.isASCIIDigit)
                return digits.isEmpty ? nil : "digits:" + digits
            }
            return Set(emails.map { name + "\u{1f}" + $0 } + phones.map { name + "\u{1f}" + $0 })
        }
    }

    private func e164(_ number: String) -> String? {
        PhoneNumber.normalize(number, defaultRegion: defaultRegion).number?.description
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
