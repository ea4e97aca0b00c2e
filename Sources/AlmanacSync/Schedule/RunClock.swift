import AlmanacCore
import Foundation

/// Next-run computation for a profile's `[schedule]` (ARCHITECTURE.md §3), as pure functions of the
/// schedule, the profile's zone, the current instant and the last run's start.
public enum RunClock {
    /// When the next scheduled run is due, or nil for a manual-only schedule.
    ///
    /// - `every`: the last run's start plus the interval (now, if that is already past or there
    ///   was no run), plus jitter.
    /// - `at`: the first listed wall-clock time strictly after `now` in `zone` (DST: a time in a
    ///   gap runs when the clocks jump, a time in an overlap runs once, at its first occurrence),
    ///   plus jitter.
    /// - `jitterFraction` in `[0, 1]` picks the delay within `[0, jitter]` (random in production,
    ///   fixed in tests).
    public static func nextRun(
        _ schedule: Schedule, zone: TimeZone, now: Date, lastStart: Date?,
        jitterFraction: Double = Double.random(in: 0...1)
    ) -> Date? {
        let jitter = seconds(schedule.jitter) * min(1, max(0, jitterFraction))
        switch schedule.trigger {
        case .manual:
            return nil
        case .every(let interval):
            guard let lastStart else { return now.addingTimeInterval(jitter) }
            let due = lastStart.addingTimeInterval(seconds(interval))
            return max(due, now).addingTimeInterval(jitter)
        case .at(let times):
            guard !times.isEmpty else { return nil }
            let today = WallTime(now, in: zone).date
            for offset in -1...2 {
                let day = today.adding(days: offset)
                let instants = times.map { WallTime(date: day, time: $0).resolve(in: zone) }.sorted()
                if let next = instants.first(where: { $0 > now }) { return next.addingTimeInterval(jitter) }
            }
            return nil
        }
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        let c = d.components
        return TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
    }
}
