import Glibc

/// systemd's watchdog (`WatchdogSec=`): systemd passes the interval in `WATCHDOG_USEC` (and the
/// process it is meant for in `WATCHDOG_PID`); the daemon sends `WATCHDOG=1` every half interval.
/// The event loop sends it itself, between two waits, so the pings stop when the loop stops
/// turning (a deadlock, a wait that never returns) and systemd restarts the service.
public struct Watchdog: Sendable {
    /// Seconds between two `WATCHDOG=1`: half of `WATCHDOG_USEC`; nil when the watchdog is off.
    public let period: Double?
    /// The monotonic time the next `WATCHDOG=1` is due (infinity when the watchdog is off).
    public private(set) var due: Double

    /// Reads `WATCHDOG_USEC` and `WATCHDOG_PID`; the watchdog is off when the interval is missing,
    /// not a positive number, or meant for another process.
    public init(environment: [String: String], pid: Int32 = getpid(), now: Double = monotonicSeconds()) {
        let usec = environment["WATCHDOG_USEC"].flatMap { UInt64($0) } ?? 0
        let owner = environment["WATCHDOG_PID"].flatMap { Int32($0) }
        if usec > 0, owner == nil || owner == pid {
            period = Double(usec) / 2_000_000
            due = now + Double(usec) / 2_000_000
        } else {
            period = nil
            due = .infinity
        }
    }

    /// Sends `WATCHDOG=1` through `notify` when one is due at `now`, and sets the next due time.
    public mutating func beat(now: Double, notify: SDNotify) {
        guard let period, now >= due else { return }
        notify.send("WATCHDOG=1")
        due = now + period
    }
}
