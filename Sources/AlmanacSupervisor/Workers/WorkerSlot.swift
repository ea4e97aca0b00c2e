import AlmanacCore
import AlmanacNotify
import AlmanacWire
import Foundation
import Glibc

/// Identity of a file's current version, to skip re-reading unchanged files on a rescan.
struct FileSignature: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var mtimeNS: Int64
    var ctimeNS: Int64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        mtimeNS = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        ctimeNS = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
    }
}

/// What happens when a worker process that was asked to stop has exited.
enum AfterExit: Sendable, Hashable {
    /// Nothing was asked: an unexpected exit, judged by the restart policy.
    case crash
    /// Start it again at once (config change, `almanac restart`).
    case restart
    /// Stay down in this state (`disabled`, `stopped`).
    case stay(WorkerState)
    /// The file is gone: forget the profile.
    case remove
}

/// Everything the supervisor knows about one profile and its worker. Owned by `Supervisor` and
/// touched only under its lock.
final class WorkerSlot {
    let name: String
    var path: String
    var signature: FileSignature?
    /// The last valid version of the file (what the worker runs).
    var profile: Profile?
    /// Problems of the file on disk, when its current version is invalid.
    var configError: [String]?
    /// The daemon's copy of `profile`'s text (`LastGoodStore`), which the worker reads; nil when
    /// it could not be saved (the worker then reads the file).
    var lastGoodPath: String?
    /// The config hash the running worker said `hello` with.
    var runningConfigHash: String?
    var disabledByMarker: Bool
    /// The supervisor's last notification about this profile (`fatal`, `invalid`), so each is sent
    /// once per occurrence: `invalid` is cleared when the file is valid again or the worker is
    /// ready, `fatal` when a worker that had been up for the policy's `resetAfter` exits.
    var notified: NotificationEvent?

    private var lifecycle = WorkerLifecycle()
    var state: WorkerState { lifecycle.state }
    var stateSince: Date { lifecycle.since }
    /// Called with what happened when `enter` is asked for a transition `WorkerLifecycle` does not
    /// allow (a supervisor bug): an assertion failure in debug builds; the supervisor logs it too.
    var illegalTransition: (String) -> Void = { assertionFailure($0) }
    var process: SpawnedProcess?
    var startedAt = 0.0
    var lastMessageAt = 0.0
    var readyAt: Double?
    var eventFramer = LineFramer()
    var stdoutFramer = LineFramer(limit: 64 * 1024)
    var stderrFramer = LineFramer(limit: 64 * 1024)

    var tracker: RestartTracker
    var restarts = 0
    /// When set and no process runs: start at this monotonic time.
    var startAt: Double?
    var stopDeadline: Double?
    var termSentAt: Double?
    var afterExit: AfterExit = .crash
    /// The config hash a worker exited 78 with: no restart until the hash differs.
    var invalidHash: String?

    var job: String?
    var progress: RunProgress?
    var nextRun: Date?
    /// When the worker runs a job again after a run that failed for a passing reason.
    var retryAt: Date?
    /// Per job its latest runs, and the connections' status (`RunBook`).
    var runs = RunBook()
    /// What `STATE/runbook/NAME.json` holds of `runs` as last read or written by this daemon (no
    /// file for a book that keeps nothing); nil before either.
    var savedRunBook: [UInt8]?
    /// The worker's own trouble (a failed start, a lost heartbeat); a job's failure is in `runs`.
    var lastError: String?
    var logs = RingBuffer<String>(capacity: 1_000)
    /// Where `record` also sends each line: the profile's log file.
    var logFile: LogFileWriter?
    var followers: [MailBox<String>] = []
    /// Open requests to the worker, by request id.
    var waiters: [String: MailBox<PipeMessage>] = [:]

    init(name: String, path: String, policy: RestartPolicy, disabledByMarker: Bool) {
        self.name = name
        self.path = path
        self.tracker = RestartTracker(policy: policy)
        self.disabledByMarker = disabledByMarker
    }

    var enabled: Bool { !disabledByMarker && (profile?.enabled ?? true) }

    /// Moves the worker to `new` (the current state again: no change). A transition the
    /// lifecycle does not allow leaves the state as it is and calls `illegalTransition`.
    func enter(_ new: WorkerState) {
        let old = state
        if !lifecycle.enter(new) {
            illegalTransition("illegal worker state transition: \(old.rawValue) → \(new.rawValue)")
        }
    }

    /// Appends a log line to the ring and to every follower.
    func record(_ line: String) {
        logs.append(line)
        logFile?.append(profile: name, line: line)
        followers.removeAll { $0.isClosed }
        for f in followers { f.push(line) }
    }

    func status(now: Double) -> ProfileStatus {
        var s = ProfileStatus(
            name: name, state: state.rawValue, since: stateSince, restarts: restarts, enabled: enabled)
        s.file = path
        if let process {
            s.pid = process.pid
            s.uptimeS = Int(now - startedAt)
        }
        if state == .syncing {
            s.job = job
            s.progress = progress
        }
        s.nextRun = state.isUp ? nextRun : nil
        if state.isUp, let retryAt, retryAt > Date() {
            s.retryAt = retryAt
            s.retryInS = Int(retryAt.timeIntervalSinceNow.rounded(.up))
        }
        s.lastRun = runs.latest
        s.lastError = runs.failingError ?? lastError
        s.health = runs.health
        s.jobs = runs.jobs.isEmpty ? nil : runs.statuses
        let connections = runs.connections.values.filter { profile?.connections[$0.name] != nil }
        s.connections = connections.isEmpty ? nil : connections.sorted { $0.name < $1.name }
        s.configError = configError
        s.configHash = process == nil ? profile?.configHash : runningConfigHash ?? profile?.configHash
        return s
    }
}
