import Foundation

/// A date and wall-clock time with no zone, as stored by most practice-management databases.
///
/// `resolve(in:)` turns it into an instant in the profile's zone, with explicit rules for the
/// two DST edge cases:
/// - **gap** (a time that does not exist, e.g. 02:30 on the night clocks spring forward): the
///   time is moved later by the length of the gap (02:30 → 03:30 daylight time);
/// - **overlap** (a time that occurs twice when clocks fall back): the earlier instant, i.e. the
///   first occurrence (daylight time).
public struct NaiveDateTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var date: CivilDate
    public var time: LocalTime
    /// Fractional seconds, `0 ..< 1`.
    public var fraction: Double

    public init(date: CivilDate, time: LocalTime, fraction: Double = 0) {
        self.date = date
        self.time = time
        self.fraction = fraction
    }

    /// Parses `YYYY-MM-DD HH:MM[:SS[.fff]]` or with a `T` separator; nil for anything else.
    /// A trailing `Z` or offset is not accepted here: such values are instants, not naive times.
    public init?(iso text: some StringProtocol) {
        let s = String(text)
        guard s.count >= 16 else { return nil }
        let sep = s.index(s.startIndex, offsetBy: 10)
        guard s[sep] == " " || s[sep] == "T", let date = CivilDate(iso: s[..<sep]) else { return nil }
        var rest = s[s.index(after: sep)...]
        var fraction = 0.0
        if let dot = rest.firstIndex(of: ".") {
            let digits = rest[rest.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let f = Double("0." + digits)
            else { return nil }
            fraction = f
            rest = rest[..<dot]
        }
        guard let time = LocalTime(string: rest) else { return nil }
        self.init(date: date, time: time, fraction: fraction)
    }

    public var description: String {
        let base = "\(date) \(String(format: "%02d:%02d:%02d", time.hour, time.minute, time.second))"
        return fraction == 0 ? base : base + String(format: "%.3f", fraction).dropFirst()
    }

    public static func < (a: NaiveDateTime, b: NaiveDateTime) -> Bool {
        (a.date, a.time, a.fraction) < (b.date, b.time, b.fraction)
    }

    /// Seconds since 1970-01-01T00:00 if this wall time were UTC.
    public var secondsAsUTC: Double {
        // Days from civil (Howard Hinnant's algorithm).
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (date.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + date.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + time.hour * 3_600 + time.minute * 60 + time.second) + fraction
    }

    /// The instant this wall time denotes in `zone` (DST gaps and overlaps resolved as above).
    public func resolve(in zone: TimeZone) -> Date {
        let local = secondsAsUTC
        let offsets = Set([-86_400.0, 0, 86_400].map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: local + $0)) })
        let valid = offsets.map { local - Double($0) }
            .filter { Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0))) == local - $0 }
        if let earliest = valid.min() { return Date(timeIntervalSince1970: earliest) }
        // In a gap: use the offset in force before the transition, which moves the time later.
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: local - 86_400))
        return Date(timeIntervalSince1970: local - Double(before))
    }
}
