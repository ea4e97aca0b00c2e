import AlmanacCore
import Foundation

/// One NDJSON message on the worker pipes: fd 3 carries commands to the worker, fd 4 events from
/// it. One case per message type, each with exactly its payload.
///
/// ## Framing and envelope
/// One JSON object per line (at most 1 MiB, `LineFramer`), keys sorted, dates ISO 8601 in UTC
/// (whole seconds). Every object has `"v":1` (`Wire.version`) and a `"type"`; the payload's
/// fields sit beside them, and a field that has no value is left out. Requests carry an `"id"`
/// (made by the supervisor: `s1`, `s2`, …) that their `reply` and `connection` messages echo.
///
/// ## Worker → supervisor (fd 4)
/// - `hello` (`Hello`): first thing after the profile file is loaded and valid. `pid`, `profile`,
///   `version` (almanac's), `config_hash` (of the file it loaded; the supervisor warns when it
///   differs from the one it validated).
/// - `ready` (`Ready`): once the state store is open and the job thread runs; the worker takes
///   commands from now on. `jobs` (names, in file order), `next_run` (absent: manual schedule),
///   `last_runs` (each job's latest run in the state file's history), `connections` (what the
///   state file keeps of each connection, `ConnectionHealth`).
/// - `status` (`Status`): the heartbeat, every heartbeat interval while a job runs and every idle
///   interval (3 × longer) while none does (no message at all for three of the intervals of the
///   state it last reported: the supervisor kills the worker), and during a run at most every 0.2 s with
///   progress. `state` (`idle` or `syncing`), `job` and `progress` (`phase`, `done`, `total`)
///   while syncing, `next_run`. The idle heartbeat is written and recognised without a JSON
///   encoder (`IdleHeartbeat`), byte for byte the same.
/// - `run_started` (`RunStarted`): a job's run begins. `run_id` (the run's one id, made here),
///   `job`, `trigger` (`schedule`, `manual`, `startup`, `retry`), `request_ids` (the `sync`
///   requests it serves; coalesced requests share a run; empty for scheduled runs).
/// - `run_finished` (`RunFinished`): a job's run ended, whatever its result. `run_id` (the same
///   id, also in the run's log lines and its run history), `job`, `trigger`, `result` (`success`,
///   `partial`, `failed`, `blocked`), `to` and `from` (action counts), `started`, `duration_ms`,
///   `error_code` and `error` (failed or blocked runs), `request_ids`, `batch_done` (the last
///   job of what the requests asked for), `retry_at` (the earliest retry pending after runs that
///   failed for a passing reason), `dry_run` (true for a dry run), `connections` (the job's
///   connections as the run found them).
/// - `connection` (`Connection`): one per connection tested, before the `reply` of a
///   `test_connection` request. `name`, `ok`, `detail` (the steps and how each went), `id`,
///   `health` (the connection's status after the test).
/// - `quota_ask` (`QuotaAsk`): before an HTTP request of a governed connection: `id` (the
///   worker's, `q1`, `q2`, …), `keys`, `tokens` (a batch asks once for its calls). Answered by
///   `quota_grant` when the keys' buckets have the tokens (README "Quota governor").
/// - `quota_report` (`QuotaReport`): a request on `keys` was refused for its rate (`status` 429 or
///   a rate-limit 403), `retry_after_ms` the server's `Retry-After`. Not answered.
/// - `reply` (`Reply`): the answer to a command. `id`, `ok`, `error` (why it was refused),
///   `queued` (on `sync`: the worker is busy and runs it after the current run), `runs` (on
///   `history`), `conflicts` and `conflict_count` (on `conflicts`).
///
/// ## Supervisor → worker (fd 3)
/// - `sync` (`Sync`): run one job (`job`) or all of them (absent), with `since`, and `full`,
///   `dry_run`, `allow_mass_delete` when true. Answered by `reply` at once (`ok:false` for a job
///   the profile lacks), then `run_started` and `run_finished` per job naming the request in
///   `request_ids`.
/// - `test_connection` (`TestConnection`): test one connection (`name`) or all (absent).
///   Answered by `connection` messages, then `reply`; a `reply` with `ok:false` at once for a name
///   the profile lacks.
/// - `history` (`History`): the stored run history of one job (`job`) or all, newest first, at
///   most `limit` runs. Answered by a `reply` carrying `runs`.
/// - `conflicts` (`Conflicts`): the schedule conflicts kept of one job (`job`) or all. Answered
///   by a `reply` carrying `conflicts` and `conflict_count`.
/// - `ping` (`Ping`): answered by `reply` with `ok:true` (the supervisor does not send it today).
/// - `quota_grant` (`QuotaGrant`): the `quota_ask` `id` may send; `waited_ms` how long it was held.
/// - `shutdown` (`Shutdown`): answered by `reply` at once; the worker lets the running job finish
///   within `deadline_ms` (less half a second) and exits 0. The supervisor sends SIGTERM to the
///   worker's group at the deadline, SIGKILL 2 s later.
///
/// ## What a reader drops
/// A line over 1 MiB is skipped and logged. A line that is not JSON, lacks `v` or `type`, has a
/// `v` other than 1 or a `type` this list does not have, or lacks a field its type requires,
/// does not decode: both sides log it as malformed (with its first 200 bytes) and go on with the
/// next line. Fields a message does not have are ignored. A message of the other
/// direction (an event on fd 3, a command on fd 4) decodes, and is logged and dropped.
public enum PipeMessage: Sendable, Hashable {
    // worker → supervisor
    case hello(Hello)
    case ready(Ready)
    case status(Status)
    case runStarted(RunStarted)
    case runFinished(RunFinished)
    case connection(Connection)
    case reply(Reply)
    case quotaAsk(QuotaAsk)
    case quotaReport(QuotaReport)
    // supervisor → worker
    case sync(Sync)
    case testConnection(TestConnection)
    case history(History)
    case conflicts(Conflicts)
    case ping(Ping)
    case shutdown(Shutdown)
    case quotaGrant(QuotaGrant)

    /// The `"type"` of each message.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case hello, ready, status, runStarted = "run_started", runFinished = "run_finished", connection, reply
        case sync, testConnection = "test_connection", ping, shutdown, history, conflicts
        case quotaAsk = "quota_ask", quotaReport = "quota_report", quotaGrant = "quota_grant"
    }

    public var kind: Kind {
        switch self {
        case .hello: return .hello
        case .ready: return .ready
        case .status: return .status
        case .runStarted: return .runStarted
        case .runFinished: return .runFinished
        case .connection: return .connection
        case .reply: return .reply
        case .sync: return .sync
        case .testConnection: return .testConnection
        case .history: return .history
        case .conflicts: return .conflicts
        case .ping: return .ping
        case .shutdown: return .shutdown
        case .quotaAsk: return .quotaAsk
        case .quotaReport: return .quotaReport
        case .quotaGrant: return .quotaGrant
        }
    }

    /// The request id a command carries, or a `reply`/`connection` echoes.
    public var id: String? {
        switch self {
        case .connection(let m): return m.id
        case .reply(let m): return m.id
        case .sync(let m): return m.id
        case .testConnection(let m): return m.id
        case .history(let m): return m.id
        case .conflicts(let m): return m.id
        case .ping(let m): return m.id
        case .shutdown(let m): return m.id
        case .quotaAsk(let m): return m.id
        case .quotaGrant(let m): return m.id
        case .hello, .ready, .status, .runStarted, .runFinished, .quotaReport: return nil
        }
    }

    /// The payload of this message.
    var payload: any Encodable {
        switch self {
        case .hello(let m): return m
        case .ready(let m): return m
        case .status(let m): return m
        case .runStarted(let m): return m
        case .runFinished(let m): return m
        case .connection(let m): return m
        case .reply(let m): return m
        case .sync(let m): return m
        case .testConnection(let m): return m
        case .history(let m): return m
        case .conflicts(let m): return m
        case .ping(let m): return m
        case .shutdown(let m): return m
        case .quotaAsk(let m): return m
        case .quotaReport(let m): return m
        case .quotaGrant(let m): return m
        }
    }
}

extension PipeMessage: Codable {
    private enum Envelope: String, CodingKey {
        case v, type
    }

    /// - Throws: `DecodingError` when `v` is not `Wire.version`, `type` is not a `Kind`, or the
    ///   payload lacks a field its type requires.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Envelope.self)
        let version = try c.decode(Int.self, forKey: .v)
        let kind = try c.decode(Kind.self, forKey: .type)
        guard version == Wire.version else {
            throw DecodingError.dataCorruptedError(
                forKey: .v, in: c,
                debugDescription: "pipe protocol version \(version) (this side speaks \(Wire.version))")
        }
        switch kind {
        case .hello: self = .hello(try Hello(from: decoder))
        case .ready: self = .ready(try Ready(from: decoder))
        case .status: self = .status(try Status(from: decoder))
        case .runStarted: self = .runStarted(try RunStarted(from: decoder))
        case .runFinished: self = .runFinished(try RunFinished(from: decoder))
        case .connection: self = .connection(try Connection(from: decoder))
        case .reply: self = .reply(try Reply(from: decoder))
        case .sync: self = .sync(try Sync(from: decoder))
        case .testConnection: self = .testConnection(try TestConnection(from: decoder))
        case .history: self = .history(try History(from: decoder))
        case .conflicts: self = .conflicts(try Conflicts(from: decoder))
        case .ping: self = .ping(try Ping(from: decoder))
        case .shutdown: self = .shutdown(try Shutdown(from: decoder))
        case .quotaAsk: self = .quotaAsk(try QuotaAsk(from: decoder))
        case .quotaReport: self = .quotaReport(try QuotaReport(from: decoder))
        case .quotaGrant: self = .quotaGrant(try QuotaGrant(from: decoder))
        }
    }

    /// The envelope and the payload's fields in one object (the payload encodes into the same
    /// keyed container).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Envelope.self)
        try c.encode(Wire.version, forKey: .v)
        try c.encode(kind, forKey: .type)
        try payload.encode(to: encoder)
    }
}
