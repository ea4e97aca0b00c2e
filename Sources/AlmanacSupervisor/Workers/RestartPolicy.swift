/// The restart policy of ARCHITECTURE.md §1 as a value: what to do when a worker exits unexpectedly.
///
/// A worker that had been up for `resetAfter` is restarted at once (a rare crash costs no wait);
/// after that, backoff 1 s, 2 s, 4 s … capped at 5 min, plus up to `jitterFraction` of random
/// extra, until a worker is up for `resetAfter` again. More than `fatalRestarts` restarts
/// within `fatalWindow` → `fatal`, retried once every `fatalRetry`. Exit code 78 (EX_CONFIG) →
/// `invalid`: no restart until the profile file changes. All durations are in seconds.
public struct RestartPolicy: Sendable, Hashable, CustomStringConvertible {
    public var initialBackoff: Double = 1
    public var maxBackoff: Double = 300
    public var jitterFraction: Double = 0.1
    public var resetAfter: Double = 60
    public var fatalRestarts: Int = 5
    public var fatalWindow: Double = 60
    public var fatalRetry: Double = 300
    /// No `ready` within this long is a failed start.
    public var readyTimeout: Double = 30
    /// The exit code that means "my configuration is invalid".
    public var configExitCode: Int32 = 78
    /// The exit code of a worker that found its profile's lock held by another process (an
    /// `almanac run`): restarted by the same backoff as a crash, reported as what it is.
    public var lockedExitCode: Int32 = 75

    public init() {}

    public var description: String {
        "at once after \(resetAfter)s up, then backoff \(initialBackoff)s…\(maxBackoff)s "
            + "+\(Int(jitterFraction * 100))% jitter, "
            + "fatal after >\(fatalRestarts) restarts in \(fatalWindow)s (retry every \(fatalRetry)s)"
    }

    /// The policy's verdict on one exit.
    public enum Decision: Sendable, Hashable {
        /// Start again after `delay` seconds.
        case restart(after: Double)
        /// Too many restarts: state `fatal`, one retry after `retryAfter` seconds.
        case fatal(retryAfter: Double)
        /// Exit 78: state `invalid` until the file changes.
        case invalid
    }
}

/// The restart history of one profile, and the policy applied to it. A value: the supervisor
/// keeps one per profile and asks it what to do at each unexpected exit.
public struct RestartTracker: Sendable, Hashable {
    public let policy: RestartPolicy
    /// Failures since the backoff last reset (the exponent of the next delay).
    public private(set) var consecutiveFailures = 0
    /// Times (monotonic seconds) of restarts decided within the fatal window.
    public private(set) var recentRestarts: [Double] = []

    public init(policy: RestartPolicy = RestartPolicy()) { self.policy = policy }

    /// Records an unexpected exit at `now` of a worker that had been up for `upFor` seconds and
    /// returns what to do: at once when it had been up for `resetAfter` (the backoff starts over
    /// from the next exit), else after the backoff. `random` is a number in `[0, 1)` that scales
    /// the jitter.
    public mutating func exited(at now: Double, upFor: Double, exitCode: Int32?, random: Double)
        -> RestartPolicy.Decision
    {
        if exitCode == policy.configExitCode { return .invalid }
        recentRestarts.removeAll { now - $0 >= policy.fatalWindow }
        recentRestarts.append(now)
        if recentRestarts.count > policy.fatalRestarts {
            return .fatal(retryAfter: policy.fatalRetry)
        }
        if upFor >= policy.resetAfter {
            consecutiveFailures = 0
            return .restart(after: 0)
        }
        let exponent = min(consecutiveFailures, 30)
        let base = min(policy.initialBackoff * Double(1 << exponent), policy.maxBackoff)
        consecutiveFailures += 1
        return .restart(after: base * (1 + policy.jitterFraction * min(max(random, 0), 1)))
    }

    /// Forgets the history: after a file change or an explicit restart/enable.
    public mutating func reset() {
        consecutiveFailures = 0
        recentRestarts.removeAll()
    }
}
