import AlmanacCore
import Foundation

/// When a profile's jobs run next (a simple computation; the sync engine may refine it).
///
/// - `every`: the first run is at start-up plus a random part of the jitter; then one interval
///   after the previous run started, plus jitter.
/// - `at`: the next listed wall-clock time in the profile's zone, plus jitter.
/// - `manual`: never on its own.
public enum NextRun {
    /// - Parameters:
    ///   - lastStart: when the previous scheduled run started (nil: none yet).
    ///   - random: a number in `[0, 1)` scaling the jitter.
    public static func after(_ now: Date, schedule: Schedule, timeZone: TimeZone, lastStart: Date?, random: Double) -> Date? {
        let jitter = seconds(schedule.jitter) * min(max(random, 0), 1)
        switch schedule.trigger {
        case .manual:
            return nil
        case .every(let interval):
            guard let lastStart else { return now.addingTimeInterval(jitter) }
            return max(now, lastStart.addingTimeInterval(seconds(interval) + jitter))
        case .at(let times):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            var best: Date?
            for dayOffset in 0...1 {
                guard let day = calendar.date(byAdding: .day, value: dayOffset, to: calendar.startOfDay(for: now)) else { continue }
                for t in times {
                    guard let d = calendar.date(bySettingHour: t.hour, minute: t.minute, second: t.second, of: day),
                        d > now
                    else { continue }
                    if best == nil || d < best! { best = d }
                }
            }
            return best?.addingTimeInterval(jitter)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
