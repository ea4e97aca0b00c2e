import AlmanacCore
import Foundation

/// When a job whose run failed for a passing reason (`RunReport.retryable`: a database that is
/// gone for a moment, a refused connection, a timeout, a 5xx after the client's own retries)
/// runs again: `first` seconds after the first failure, `factor` times longer after each further
/// one in a row, never later than `cap`. A success starts the count again.
///
/// `RetryBackoff(schedule:)` caps at the schedule's interval (`every`), the shortest gap between
/// its `at` times, or one hour for a manual schedule: a retry never waits longer than the
/// schedule would have.
public struct RetryBackoff: Sendable, Hashable, CustomStringConvertible {
    public var first: TimeInterval
    public var factor: Double
    public var cap: TimeInterval

    public init(first: TimeInterval = 30, factor: Double = 2, cap: TimeInterval = 3_600) {
        self.first = first
        self.factor = factor
        self.cap = cap
    }

    public init(schedule: Schedule, first: TimeInterval = 30) {
        self.init(first: first, cap: Self.interval(of: schedule))
    }

    /// Seconds to wait after the `failures`-th failure in a row (1 for the first).
    public func delay(afterFailures failures: Int) -> TimeInterval {
        var d = first
        for _ in 1..<max(1, failures) {
            d *= factor
            if d >= cap { break }
        }
        return min(d, cap)
    }

    /// `30s, ×2, at most 3600s`
    public var description: String { "\(Int(first))s, ×\(factor.formatted()), at most \(Int(cap))s" }

    /// The time between two scheduled runs: the interval, the shortest gap between `at` times
    /// (across midnight too), one hour when runs are manual only.
    static func interval(of schedule: Schedule) -> TimeInterval {
        switch schedule.trigger {
        case .manual:
            return 3_600
        case .every(let d):
            return RunClock.seconds(d)
        case .at(let times):
            let seconds = times.map { TimeInterval($0.hour * 3_600 + $0.minute * 60 + $0.second) }.sorted()
            guard let firstTime = seconds.first else { return 3_600 }
            var gaps = zip(seconds, seconds.dropFirst()).map { $1 - $0 }.filter { $0 > 0 }
            gaps.append(86_400 - seconds.last! + firstTime)
            return gaps.min() ?? 86_400
        }
    }
}
