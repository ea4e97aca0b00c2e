import Foundation

/// A naive date and time (a `timestamp without time zone` column, an `at = "04:00"` schedule on
/// a given day), turned into an instant in a zone with DST handled explicitly:
/// - a time in a spring-forward **gap** (02:30 on the night clocks jump from 02:00 to 03:00) is
///   the instant the clocks jump (03:00 after the change): the first instant at or after it;
/// - a time in a fall-back **overlap** (01:30 happens twice) is the **earlier** occurrence.
public struct WallTime: Hashable, Sendable, CustomStringConvertible {
    public var date: CivilDate
    public var time: LocalTime

    public init(date: CivilDate, time: LocalTime) {
        self.date = date
        self.time = time
    }

    public var description: String { "\(date)T\(time)" }

    /// The instant this wall-clock time denotes in `zone` (see the type's rules for gaps and overlaps).
    public func resolve(in zone: TimeZone) -> Date {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let naive = utc.date(
            from: DateComponents(
                year: date.year, month: date.month, day: date.day, hour: time.hour,
                minute: time.minute, second: time.second))!
        let before = TimeInterval(zone.secondsFromGMT(for: naive.addingTimeInterval(-86_400)))
        let after = TimeInterval(zone.secondsFromGMT(for: naive.addingTimeInterval(86_400)))
        let candidates = [naive.addingTimeInterval(-before), naive.addingTimeInterval(-after)].sorted()
        let valid = candidates.filter { c in
            c.addingTimeInterval(TimeInterval(zone.secondsFromGMT(for: c))) == naive
        }
        if let first = valid.first { return first }
        // In a gap: the clocks jump between the two candidates.
        return zone.nextDaylightSavingTimeTransition(after: candidates[0]) ?? candidates[1]
    }

    /// The wall-clock reading of `instant` in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        self.init(
            date: CivilDate(year: c.year!, month: c.month!, day: c.day!),
            time: LocalTime(hour: c.hour!, minute: c.minute!, second: c.second!))
    }
}
