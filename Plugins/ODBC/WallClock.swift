import AlmanacCore
import Foundation

/// A wall-clock date and time with no zone (a `TIMESTAMP WITHOUT TIME ZONE` value).
struct WallClock: Hashable, Sendable, CustomStringConvertible {
    var date: CivilDate
    var hour: Int
    var minute: Int
    var second: Int

    /// Seconds since 1970-01-01T00:00:00 of the same wall clock (as if it were UTC).
    var wallSeconds: Int {
        Self.daysFromCivil(date.year, date.month, date.day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    init(date: CivilDate, hour: Int, minute: Int, second: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The wall clock `seconds` after 1970-01-01T00:00:00.
    init(wallSeconds seconds: Int) {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let rest = seconds - days * 86_400
        let (y, m, d) = Self.civilFromDays(days)
        self.init(
            date: CivilDate(year: y, month: m, day: d), hour: rest / 3_600, minute: rest % 3_600 / 60,
            second: rest % 60)
    }

    var description: String {
        String(format: "%@ %02d:%02d:%02d", date.description, hour, minute, second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Turns naive wall-clock times into instants in one zone, and back.
///
/// DST rules (documented in README.md):
/// - a wall time that happens twice (the autumn overlap) is the **first** occurrence, i.e. the
///   earlier instant, still on daylight time;
/// - a wall time that never happens (the spring gap) is read with the offset in force **before**
///   the gap, which moves it forward by the gap's length (02:30 → 03:30), as RFC 5545 does.
///
/// Offsets are cached per wall-clock day when no transition lies within a day of it, so a
/// million rows cost a million dictionary look-ups, not a million zone computations.
final class ZoneResolver {
    let zone: TimeZone
    private var dayOffsets: [Int: Int] = [:]

    init(zone: TimeZone) { self.zone = zone }

    private func offset(at utcSeconds: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcSeconds)))
    }

    /// The instant of `wall` in the zone, by the rules above.
    func instant(_ wall: WallClock) -> Date {
        Date(timeIntervalSince1970: TimeInterval(utcSeconds(wallSeconds: wall.wallSeconds)))
    }

    func utcSeconds(wallSeconds local: Int) -> Int {
        let day = Int((Double(local) / 86_400).rounded(.down))
        if let cached = dayOffsets[day] { return local - cached }
        let before = offset(at: local - 2 * 86_400)
        let after = offset(at: local + 2 * 86_400)
        if before == after {
            let probe = Date(timeIntervalSince1970: TimeInterval(day * 86_400 - 3 * 86_400))
            let next = zone.nextDaylightSavingTimeTransition(after: probe)
            if next == nil || next!.timeIntervalSince1970 > TimeInterval(day * 86_400 + 4 * 86_400) {
                dayOffsets[day] = before
                return local - before
            }
        }
        let first = local - before  // reading with the earlier offset
        let second = local - after  // reading with the later offset
        let firstValid = offset(at: first) == before
        let secondValid = offset(at: second) == after
        switch (firstValid, secondValid) {
        case (true, true): return min(first, second)  // overlap: the earlier instant
        case (true, false): return first
        case (false, true): return second
        case (false, false): return first  // gap: the offset before the gap
        }
    }

    /// The wall clock of `date` in the zone, seconds dropped below one.
    func wallClock(_ date: Date) -> WallClock {
        let utc = Int(date.timeIntervalSince1970.rounded(.down))
        return WallClock(wallSeconds: utc + offset(at: utc))
    }
}
