import Foundation

/// The state of one profile's worker and the transitions it may take: one table, checked on
/// every change (the swift-service-lifecycle pattern of one state enum with its rules in one place).
///
/// A transition the table does not list is a bug in the supervisor: `enter` refuses it (the state
/// stays) and says so; `WorkerSlot` turns that into an assertion failure in debug builds and a
/// logged error in release builds. Entering the current state again changes nothing (not even
/// `since`) and is always allowed.
struct WorkerLifecycle {
    private(set) var state: WorkerState
    /// When `state` was entered.
    private(set) var since: Date

    init(state: WorkerState = .stopped, since: Date = Date()) {
        self.state = state
        self.since = since
    }

    /// Moves to `new` when the table allows it; false (and no change) when it does not.
    mutating func enter(_ new: WorkerState, at now: Date = Date()) -> Bool {
        guard new != state else { return true }
        guard Self.allows(state, new) else { return false }
        state = new
        since = now
        return true
    }

    static func allows(_ from: WorkerState, _ to: WorkerState) -> Bool {
        from == to || transitions[from, default: []].contains(to)
    }

    /// Every legal change of state, by the state it leaves. Why each exists:
    /// - `→ starting`: a start is due (`backoff`, `fatal`), asked for (`almanac enable`/`restart`,
    ///   a new or fixed file: from any state without a process), or a stopped worker is restarted
    ///   (after `stopping`, or after a kill for a lost heartbeat or a missed ready, which stops the
    ///   worker without passing through `stopping`, from `starting`, `ready`, `idle`, `syncing`).
    /// - `starting → ready`: the worker said `ready`.
    /// - `ready`/`idle`/`syncing` among themselves: as `status`, `run_started` and `run_finished`
    ///   report.
    /// - `→ stopping`: a shutdown was sent to a running worker.
    /// - `→ backoff`/`fatal`/`invalid` from `starting`/`ready`/`idle`/`syncing`: the worker exited
    ///   unexpectedly (the restart policy decides; `invalid` for exit 78); `backoff ↔ fatal` and
    ///   `starting → backoff`/`fatal`: the worker could not be spawned.
    /// - `→ invalid` from states without a process: the file became invalid.
    /// - `→ disabled`: disabled (marker or `enabled = false`), at once without a process, after
    ///   the worker exited with one.
    /// - `→ stopped`: the daemon shuts down and the worker exited.
    static let transitions: [WorkerState: Set<WorkerState>] = [
        .starting: [.ready, .stopping, .backoff, .fatal, .invalid, .disabled, .stopped],
        .ready: [.idle, .syncing, .stopping, .starting, .backoff, .fatal, .invalid, .disabled, .stopped],
        .idle: [.ready, .syncing, .stopping, .starting, .backoff, .fatal, .invalid, .disabled, .stopped],
        .syncing: [.ready, .idle, .stopping, .starting, .backoff, .fatal, .invalid, .disabled, .stopped],
        .stopping: [.starting, .disabled, .stopped],
        .stopped: [.starting, .invalid, .disabled],
        .backoff: [.starting, .fatal, .invalid, .disabled],
        .fatal: [.starting, .backoff, .invalid, .disabled],
        .invalid: [.starting, .disabled],
        .disabled: [.starting, .invalid],
    ]
}
