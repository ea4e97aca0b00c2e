import AlmanacCore
import Foundation

/// How `almanac daemon` was started.
public struct SupervisorConfig: Sendable {
    public var profilesDirectory: String
    /// Profile templates (`templates.d`, default beside the profiles directory).
    public var templatesDirectory: String
    public var stateDirectory: String
    public var runtimeDirectory: String
    /// The binary workers run (`/proc/self/exe`: the daemon re-executes itself).
    public var executable = "/proc/self/exe"
    /// Workers are forked from a worker template (`almanac worker-template`) rather than exec'd
    /// one by one (`--no-worker-template` turns it off). Only with the daemon's own binary: another
    /// `executable` (a test harness's) is always exec'd.
    public var workerTemplate = true
    var usesWorkerTemplate: Bool { workerTemplate && executable == "/proc/self/exe" }
    public var logFormat: LogSink.Format = .logfmt
    /// `127.0.0.1:PORT` to serve the API on TCP too (requires `tokenFile`).
    public var listen: String?
    public var tokenFile: String?
    /// `ADDRESS:PORT` of a listener that answers `GET /v1/health` only, without a token (probes).
    public var healthListen: String?
    /// `--shard K/N`: run only the profiles whose names fall on this shard (nil: every profile).
    /// Exposed for what divides a shared limit between the shards (`rate / count` each).
    public var shard: Shard?
    /// The quota governor's rates (`almanac.toml`, already divided by the shard count).
    public var quota = QuotaConfig.defaults
    public var policy = RestartPolicy()
    /// Workers send a `status` heartbeat this often while a job runs; 3 missed intervals → killed
    /// and restarted.
    public var heartbeatInterval = 5.0
    /// An idle worker's heartbeat comes this many times less often (and 3 of its intervals are
    /// allowed): a thousand idle workers wake the daemon 67 times a second instead of 200. A hung
    /// idle worker is still killed (within 45 s by default), a dead one at once (SIGCHLD, EOF).
    public var idleHeartbeatMultiple = 3.0
    /// `heartbeatInterval × idleHeartbeatMultiple`.
    public var idleHeartbeatInterval: Double { heartbeatInterval * idleHeartbeatMultiple }

    /// How long a worker last heard in `state` may be silent before it is killed as hung: 3 of
    /// the heartbeat intervals that apply to it (the idle one for `idle`).
    func silenceLimit(for state: WorkerState) -> Double {
        3 * (state == .idle ? idleHeartbeatInterval : heartbeatInterval)
    }
    /// At most this many workers are starting at once (spawned, no `ready` yet); the others wait
    /// their turn, in the order they fell due. A thousand profiles started together would share the
    /// cores a thousand ways, miss the ready timeout and be killed and started again.
    public var maxStarting = max(8, 4 * ProcessInfo.processInfo.activeProcessorCount)
    /// `shutdown` → SIGTERM to the group after this long → SIGKILL 2 s later.
    public var stopTimeout = 10.0
    public var rescanInterval = 30.0
    /// inotify events are collected this long before the directory is read again.
    public var debounce = 0.2
    /// When each profile's log file (`STATE/logs/NAME.log`) rotates and how many files are kept.
    public var logRotation = LogRotation()

    public init(profilesDirectory: String, stateDirectory: String, runtimeDirectory: String) {
        self.profilesDirectory = profilesDirectory
        self.templatesDirectory = AlmanacPaths.templates(besideProfiles: profilesDirectory)
        self.stateDirectory = stateDirectory
        self.runtimeDirectory = runtimeDirectory
    }

    public var socketPath: String { runtimeDirectory + "/almanac.sock" }
    public var lockPath: String { runtimeDirectory + "/almanac.lock" }
    /// Each profile's log files: `NAME.log`, `NAME.log.1` …
    public var logDirectory: String { stateDirectory + "/logs" }
}
