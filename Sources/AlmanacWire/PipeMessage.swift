import AlmanacCore
import Foundation

/// One NDJSON message on the worker pipes (DESIGN §6): fd 3 carries commands to the worker, fd 4
/// events from it. Every message has `"v":1` and a `"type"`; requests carry an `"id"` that their
/// `reply` echoes.
///
/// One flat type for every kind keeps the decoder total: a field a kind does not use is absent
/// (`nil`). The constructors below (`hello`, `sync`, …) build each kind with exactly its fields.
public struct PipeMessage: Codable, Sendable, Hashable {
    /// The message kinds of DESIGN §6.
    public enum Kind: String, Codable, Sendable, Hashable {
        // worker → supervisor
        case hello, ready, status, runStarted = "run_started", runFinished = "run_finished", connection, reply
        // supervisor → worker
        case sync, testConnection = "test_connection", ping, shutdown
    }

    public var v: Int = Wire.version
    public var type: Kind
    public var id: String?

    // hello
    public var pid: Int32?
    public var profile: String?
    public var version: String?
    public var configHash: String?
    // ready / status
    public var jobs: [String]?
    public var nextRun: Date?
    public var state: String?
    public var job: String?
    public var progress: RunProgress?
    // run_started / run_finished. `run_started` carries the worker's id for the run it begins;
    // `run_finished` carries the id the engine recorded in its run history and logs (they may
    // differ). Both carry `request_ids`, which is how the supervisor matches them to requests.
    public var runID: String?
    public var trigger: String?
    public var result: String?
    public var to: ActionCounts?
    public var from: ActionCounts?
    public var started: Date?
    public var durationMS: Int?
    public var errorCode: String?
    public var error: String?
    /// On `run_finished`: the error's cause chain, outermost first (`RunReport.cause`).
    public var cause: [String]?
    /// The `sync` request ids this run serves (coalesced requests share a run).
    public var requestIDs: [String]?
    /// On `run_finished`: true when this was the last job of the batch the requests asked for.
    public var batchDone: Bool?
    /// On `run_finished`: the earliest retry the worker has scheduled after runs that failed for a
    /// passing reason (nil: none pending).
    public var retryAt: Date?
    // connection
    public var name: String?
    public var ok: Bool?
    public var detail: String?
    // reply
    public var queued: Bool?
    // commands
    public var since: Date?
    public var full: Bool?
    public var dryRun: Bool?
    public var allowMassDelete: Bool?
    public var deadlineMS: Int?

    enum CodingKeys: String, CodingKey {
        case v, type, id, pid, profile, version, jobs, state, job, progress, trigger, result, to, from, started, error
        case name, ok, detail, queued, since, full
        case configHash = "config_hash", nextRun = "next_run", runID = "run_id", durationMS = "duration_ms"
        case errorCode = "error_code", requestIDs = "request_ids", batchDone = "batch_done", dryRun = "dry_run"
        case allowMassDelete = "allow_mass_delete", deadlineMS = "deadline_ms", retryAt = "retry_at"
        case cause
    }

    public init(_ type: Kind, id: String? = nil) {
        self.type = type
        self.id = id
    }

    // MARK: worker → supervisor

    public static func hello(pid: Int32, profile: String, version: String, configHash: String) -> PipeMessage {
        var m = PipeMessage(.hello)
        m.pid = pid
        m.profile = profile
        m.version = version
        m.configHash = configHash
        return m
    }

    public static func ready(jobs: [String], nextRun: Date?) -> PipeMessage {
        var m = PipeMessage(.ready)
        m.jobs = jobs
        m.nextRun = nextRun
        return m
    }

    /// The heartbeat: `state` is `idle` or `syncing`.
    public static func status(state: String, job: String?, progress: RunProgress?, nextRun: Date?) -> PipeMessage {
        var m = PipeMessage(.status)
        m.state = state
        m.job = job
        m.progress = progress
        m.nextRun = nextRun
        return m
    }

    public static func reply(id: String, ok: Bool, error: String? = nil, queued: Bool? = nil) -> PipeMessage {
        var m = PipeMessage(.reply, id: id)
        m.ok = ok
        m.error = error
        m.queued = queued
        return m
    }

    public static func connection(name: String, ok: Bool, detail: String, id: String?) -> PipeMessage {
        var m = PipeMessage(.connection, id: id)
        m.name = name
        m.ok = ok
        m.detail = detail
        return m
    }

    // MARK: supervisor → worker

    public static func sync(id: String, job: String?, options: RunOptions) -> PipeMessage {
        var m = PipeMessage(.sync, id: id)
        m.job = job
        m.since = options.since
        m.full = options.full ? true : nil
        m.dryRun = options.dryRun ? true : nil
        m.allowMassDelete = options.allowMassDelete ? true : nil
        return m
    }

    public static func shutdown(id: String, deadlineMS: Int) -> PipeMessage {
        var m = PipeMessage(.shutdown, id: id)
        m.deadlineMS = deadlineMS
        return m
    }

    /// The run options a `sync` command asks for.
    public var runOptions: RunOptions {
        RunOptions(
            trigger: .manual, dryRun: dryRun ?? false, full: full ?? false, since: since,
            allowMassDelete: allowMassDelete ?? false)
    }
}
