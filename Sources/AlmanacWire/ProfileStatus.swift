import AlmanacCore
import Foundation

/// One profile as `GET /v1/profiles[/NAME]` and `almanac status --json` show it. Stable: fields
/// are only ever added. Times are ISO 8601 (UTC); absent values are omitted.
///
/// ```json
/// {"v":1,"profiles":[{"name":"clinic","state":"idle","since":"2026-11-21T18:00:00Z","pid":4242,
///   "uptime_s":3600,"restarts":0,"enabled":true,"next_run":"2026-11-21T19:00:00Z",
///   "retry_at":"2026-11-21T18:31:00Z","retry_in_s":30,
///   "last_run":{"run_id":"…","job":"appointments","result":"success","started":"…","duration_ms":812,
///               "to":{"created":3,…},"from":{…}},
///   "last_error":"…","config_error":["clinic.toml: jobs[0].window.past_days: must be ≥ 0, got -3"],
///   "config_hash":"9f86d08…"}]}
/// ```
///
/// `state` is one of `starting`, `ready`, `idle`, `syncing`, `stopping`, `stopped`, `backoff`,
/// `fatal`, `invalid`, `disabled`.
public struct ProfileStatus: Codable, Sendable, Hashable {
    public var name: String
    public var state: String
    /// When `state` was entered.
    public var since: Date
    public var pid: Int32?
    public var uptimeS: Int?
    /// Restarts since the daemon started (crashes, heartbeat loss, failed starts).
    public var restarts: Int
    /// False when disabled by `almanac disable` or `enabled = false` in the file.
    public var enabled: Bool
    public var file: String?
    public var job: String?
    public var progress: RunProgress?
    public var nextRun: Date?
    /// When a run that failed for a passing reason (`RunReport.retryable`) is tried again, and
    /// how many seconds from now that is; absent when no retry is pending.
    public var retryAt: Date?
    public var retryInS: Int?
    /// The latest real run of any job (dry runs are in `jobs`, never here).
    public var lastRun: RunSummary?
    /// The error of the first failing job's latest real run (`health` is `failing`).
    public var lastError: String?
    /// `ok` when every job's latest real run succeeded (or was partial) and no connection fails,
    /// `failing` when one failed or was blocked or a connection fails; absent before any run.
    public var health: String?
    /// Each job of the profile (in file order) with its latest real run and latest dry run.
    public var jobs: [JobStatus]?
    /// What was last seen of each connection the profile has observed, by name.
    public var connections: [ConnectionHealth]?
    /// Problems of the file on disk when they keep it from being (re)loaded.
    public var configError: [String]?
    /// SHA-256 of the profile text the worker runs (what it said `hello` with), else of the last
    /// valid version it will start from. With `config_error` set, that is the last valid version,
    /// not the file on disk.
    public var configHash: String?

    enum CodingKeys: String, CodingKey {
        case name, state, since, pid, restarts, enabled, file, job, progress
        case uptimeS = "uptime_s", nextRun = "next_run", lastRun = "last_run", lastError = "last_error"
        case retryAt = "retry_at", retryInS = "retry_in_s"
        case configError = "config_error"
        case configHash = "config_hash"
        case health, jobs, connections
    }

    public init(name: String, state: String, since: Date, restarts: Int, enabled: Bool) {
        self.name = name
        self.state = state
        self.since = since
        self.restarts = restarts
        self.enabled = enabled
    }
}

/// The last finished run of a profile (from its `run_finished` message).
public struct RunSummary: Codable, Sendable, Hashable {
    public var runID: String
    public var job: String
    public var trigger: String?
    public var result: String
    public var started: Date?
    public var finished: Date
    public var durationMS: Int
    public var to: ActionCounts
    public var from: ActionCounts
    public var errorCode: String?
    public var error: String?
    /// The error's cause chain, outermost first, secrets redacted; absent when it wraps nothing.
    public var cause: [String]?
    /// True for a dry run (planned only); absent otherwise.
    public var dryRun: Bool?

    enum CodingKeys: String, CodingKey {
        case job, trigger, result, started, finished, to, from, error, cause
        case runID = "run_id", durationMS = "duration_ms", errorCode = "error_code", dryRun = "dry_run"
    }

    /// From a `run_finished` message.
    public init(_ m: PipeMessage.RunFinished, finished: Date) {
        self.runID = m.runID
        self.job = m.job
        self.trigger = m.trigger
        self.result = m.result
        self.started = m.started
        self.finished = finished
        self.durationMS = m.durationMS
        self.to = m.to
        self.from = m.from
        self.errorCode = m.errorCode
        self.error = m.error
        self.cause = m.cause
        self.dryRun = m.dryRun
    }
}

/// `GET /v1/profiles`. With a paging query (`q`, `state`, `offset`, `limit`) one page, failing
/// profiles first, and the four numbers below; without one every profile by name and none of them.
public struct StatusList: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var profiles: [ProfileStatus]
    /// How many profiles match the query (all pages).
    public var total: Int?
    /// How many of those are failing: the first `failing` of the sorted matches.
    public var failing: Int?
    public var offset: Int?
    public var limit: Int?
    public init(profiles: [ProfileStatus]) { self.profiles = profiles }
}
