import AlmanacCore
import Foundation

// The payloads of the worker → supervisor messages (see `PipeMessage` for when each is sent).
extension PipeMessage {
    /// `hello`: the worker has loaded its profile.
    public struct Hello: Codable, Sendable, Hashable {
        public var pid: Int32
        public var profile: String
        /// almanac's version.
        public var version: String
        /// The hash of the profile file the worker loaded.
        public var configHash: String

        enum CodingKeys: String, CodingKey {
            case pid, profile, version
            case configHash = "config_hash"
        }

        public init(pid: Int32, profile: String, version: String, configHash: String) {
            self.pid = pid
            self.profile = profile
            self.version = version
            self.configHash = configHash
        }
    }

    /// `ready`: the worker takes commands.
    public struct Ready: Codable, Sendable, Hashable {
        public var jobs: [String]
        /// Absent for a manual schedule.
        public var nextRun: Date?
        /// The latest run of each job in the state file's run history (absent: none).
        public var lastRuns: [RunSummary]?
        /// What the state file keeps of each connection (absent: nothing yet).
        public var connections: [ConnectionHealth]?

        enum CodingKeys: String, CodingKey {
            case jobs, connections
            case nextRun = "next_run", lastRuns = "last_runs"
        }

        public init(
            jobs: [String], nextRun: Date?, lastRuns: [RunSummary]? = nil, connections: [ConnectionHealth]? = nil
        ) {
            self.jobs = jobs
            self.nextRun = nextRun
            self.lastRuns = lastRuns
            self.connections = connections
        }
    }

    /// `status`: the heartbeat, with the progress of the running job.
    public struct Status: Codable, Sendable, Hashable {
        /// `idle` or `syncing`.
        public var state: String
        public var job: String?
        public var progress: RunProgress?
        public var nextRun: Date?

        enum CodingKeys: String, CodingKey {
            case state, job, progress
            case nextRun = "next_run"
        }

        public init(state: String, job: String? = nil, progress: RunProgress? = nil, nextRun: Date?) {
            self.state = state
            self.job = job
            self.progress = progress
            self.nextRun = nextRun
        }
    }

    /// `run_started`: a job's run begins.
    public struct RunStarted: Codable, Sendable, Hashable {
        /// The worker's id for the run it begins.
        public var runID: String
        public var job: String
        /// A `RunTrigger` raw value.
        public var trigger: String
        /// The `sync` request ids this run serves (coalesced requests share a run).
        public var requestIDs: [String]

        enum CodingKeys: String, CodingKey {
            case job, trigger
            case runID = "run_id", requestIDs = "request_ids"
        }

        public init(runID: String, job: String, trigger: String, requestIDs: [String]) {
            self.runID = runID
            self.job = job
            self.trigger = trigger
            self.requestIDs = requestIDs
        }
    }

    /// `run_finished`: a job's run ended. A reader needs `run_id`, `job` and `result`; the
    /// other fields default when absent (counts zero, no request ids, `batch_done` false).
    public struct RunFinished: Codable, Sendable, Hashable {
        /// The run's one id: the same as its `run_started`, its log lines and its run history.
        public var runID: String
        public var job: String
        /// A `RunTrigger` raw value.
        public var trigger: String?
        /// A `RunResult` raw value.
        public var result: String
        public var to: ActionCounts
        public var from: ActionCounts
        public var started: Date?
        public var durationMS: Int
        public var errorCode: String?
        public var error: String?
        /// The error's cause chain, outermost first, secrets redacted (`RunReport.cause`).
        public var cause: [String]?
        /// The `sync` request ids this run serves.
        public var requestIDs: [String]
        /// True when this was the last job of the batch the requests asked for.
        public var batchDone: Bool
        /// The earliest retry the worker has scheduled after runs that failed for a passing
        /// reason (nil: none pending).
        public var retryAt: Date?
        /// True for a dry run; absent otherwise.
        public var dryRun: Bool?
        /// The job's connections as this run found them (absent: the run says nothing of them).
        public var connections: [ConnectionHealth]?

        enum CodingKeys: String, CodingKey {
            case job, trigger, result, to, from, started, error
            case runID = "run_id", durationMS = "duration_ms", errorCode = "error_code"
            case requestIDs = "request_ids", batchDone = "batch_done", retryAt = "retry_at", cause
            case dryRun = "dry_run", connections
        }

        public init(
            runID: String, job: String, trigger: String?, result: String, to: ActionCounts, from: ActionCounts,
            started: Date?, durationMS: Int, errorCode: String? = nil, error: String? = nil, cause: [String]? = nil,
            requestIDs: [String], batchDone: Bool, retryAt: Date? = nil, dryRun: Bool? = nil,
            connections: [ConnectionHealth]? = nil
        ) {
            self.runID = runID
            self.job = job
            self.trigger = trigger
            self.result = result
            self.to = to
            self.from = from
            self.started = started
            self.durationMS = durationMS
            self.errorCode = errorCode
            self.error = error
            self.cause = cause
            self.requestIDs = requestIDs
            self.batchDone = batchDone
            self.retryAt = retryAt
            self.dryRun = dryRun
            self.connections = connections
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            runID = try c.decode(String.self, forKey: .runID)
            job = try c.decode(String.self, forKey: .job)
            trigger = try c.decodeIfPresent(String.self, forKey: .trigger)
            result = try c.decode(String.self, forKey: .result)
            to = try c.decodeIfPresent(ActionCounts.self, forKey: .to) ?? ActionCounts()
            from = try c.decodeIfPresent(ActionCounts.self, forKey: .from) ?? ActionCounts()
            started = try c.decodeIfPresent(Date.self, forKey: .started)
            durationMS = try c.decodeIfPresent(Int.self, forKey: .durationMS) ?? 0
            errorCode = try c.decodeIfPresent(String.self, forKey: .errorCode)
            error = try c.decodeIfPresent(String.self, forKey: .error)
            cause = try c.decodeIfPresent([String].self, forKey: .cause)
            requestIDs = try c.decodeIfPresent([String].self, forKey: .requestIDs) ?? []
            batchDone = try c.decodeIfPresent(Bool.self, forKey: .batchDone) ?? false
            retryAt = try c.decodeIfPresent(Date.self, forKey: .retryAt)
            dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun)
            connections = try c.decodeIfPresent([ConnectionHealth].self, forKey: .connections)
        }
    }

    /// `connection`: the result of testing one connection.
    public struct Connection: Codable, Sendable, Hashable {
        public var name: String
        public var ok: Bool
        /// Each step and how it went: `connect: ok 3 ms; query: ok`.
        public var detail: String
        /// The `test_connection` request this answers.
        public var id: String?
        /// The connection's status after this test, as the worker keeps it.
        public var health: ConnectionHealth?

        public init(name: String, ok: Bool, detail: String, id: String?, health: ConnectionHealth? = nil) {
            self.name = name
            self.ok = ok
            self.detail = detail
            self.id = id
            self.health = health
        }
    }

    /// `reply`: the answer to a command.
    public struct Reply: Codable, Sendable, Hashable {
        public var id: String
        public var ok: Bool
        /// Why the command was refused.
        public var error: String?
        /// On `sync`: true when the worker runs it after the run in progress.
        public var queued: Bool?
        /// On `history`: the runs asked for, newest first.
        public var runs: [RunSummary]?
        /// On `conflicts`: the conflicts kept (at most `ConflictList.maxCount`) and how many there are.
        public var conflicts: [ScheduleConflict]?
        public var conflictCount: Int?

        public init(
            id: String, ok: Bool, error: String? = nil, queued: Bool? = nil, runs: [RunSummary]? = nil,
            conflicts: [ScheduleConflict]? = nil, conflictCount: Int? = nil
        ) {
            self.id = id
            self.ok = ok
            self.error = error
            self.queued = queued
            self.runs = runs
            self.conflicts = conflicts
            self.conflictCount = conflictCount
        }

        enum CodingKeys: String, CodingKey {
            case id, ok, error, queued, runs, conflicts, conflictCount = "conflict_count"
        }
    }
}
