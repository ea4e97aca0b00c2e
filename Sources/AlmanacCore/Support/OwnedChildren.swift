import Foundation
import Glibc

/// Child processes that a thread starts and waits for itself (a notification command, a connector
/// plugin), kept apart from what a process-wide reaper collects: the daemon reaps its workers and
/// the orphans it adopts as sub-reaper with `waitpid`, and must not take the exit status of a child
/// another thread is waiting for (that thread would then miss the status, and later signal a pid
/// that may belong to someone else).
///
/// Start such a child inside `spawn` and call `reaped` once `waitpid` returned it; a reaper decides
/// inside `withLock`, so it never sees a child between its start and its registration.
public enum OwnedChildren {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pids: Set<pid_t> = []

    /// Runs `start` (which starts one child and returns its pid, or a negative number when it could
    /// not) and registers the pid, both under the lock.
    public static func spawn(_ start: () throws -> pid_t) rethrows -> pid_t {
        lock.lock()
        defer { lock.unlock() }
        let pid = try start()
        if pid > 0 { pids.insert(pid) }
        return pid
    }

    /// The child `pid` was waited for by its owner.
    public static func reaped(_ pid: pid_t) {
        lock.withLock { _ = pids.remove(pid) }
    }

    /// Runs `body` with the registered pids, under the lock (for a reaper's decision).
    public static func withLock<T>(_ body: (Set<pid_t>) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(pids)
    }
}
