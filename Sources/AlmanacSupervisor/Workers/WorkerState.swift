/// The lifecycle states of one profile's worker (ARCHITECTURE.md §1).
///
/// `starting → ready → idle/syncing → stopping → stopped`, plus `backoff` (waiting to restart),
/// `fatal` (too many restarts; slow retry), `invalid` (config error or exit 78; waits for a file
/// change) and `disabled` (marker or `enabled = false`).
public enum WorkerState: String, Sendable, Hashable, CaseIterable {
    case starting, ready, idle, syncing, stopping, stopped, backoff, fatal, invalid, disabled

    /// A worker process exists in this state.
    public var hasProcess: Bool {
        switch self {
        case .starting, .ready, .idle, .syncing, .stopping: return true
        case .stopped, .backoff, .fatal, .invalid, .disabled: return false
        }
    }

    /// The worker said `ready` and has not been asked to stop.
    public var isUp: Bool { self == .ready || self == .idle || self == .syncing }
}
