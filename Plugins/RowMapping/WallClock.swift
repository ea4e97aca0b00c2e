import AlmanacCore
import Foundation

/// A wall-clock date and time with no zone (a `TIMESTAMP WITHOUT TIME ZONE` value).
public struct WallClock: Hashable, Sendable, CustomStringConvertible {
    public var date: CivilDate
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// Seconds since 1970-01-01T00:00:00 of the same wall clock (as if it were UTC).
    public var wallSeconds: Int { date.daysSince1970 * 86_400 + hour * 3_600 + minute * 60 + second }

    public init(date: CivilDate, hour: Int, minute: Int, second: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The wall clock `seconds` after 1970-01-01T00:00:00.
    public init(wallSeconds seconds: Int) {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let rest = seconds - days * 86_400
        self.init(
            date: CivilDate(daysSince1970: days), hour: rest / 3_600, minute: rest % 3_600 / 60, second: rest % 60)
    }

    public var description: String {
        String(format: "%@ %02d:%02d:%02d", date.description, hour, minute, second)
    }
}

/// DST rules (documented in README.md), from `AlmanacCore.ZoneResolver`:
/// - a wall time that happens twice (the autumn overlap) is the **first** occurrence, i.e. the
///   earlier instant, still on daylight time;
/// - a wall time that never happens (the spring gap) is read with the offset in force **before**
///   the gap, which moves it forward by the gap's length (02:30 → 03:30), as RFC 5545 does.
extension ZoneResolver {
    /// The instant of `wall` in the zone, by the rules above.
    public func instant(_ wall: WallClock) -> Date {
        Date(timeIntervalSince1970: TimeInterval(utcSeconds(localSeconds: wall.wallSeconds)))
    }

    /// The wall clock of `date` in the zone, seconds dropped below one.
    public func wall(_ date: Date) -> WallClock {
        let (day, seconds, _) = wallClock(date)
        return WallClock(wallSeconds: day.daysSince1970 * 86_400 + seconds)
    }
}
