import AlmanacCore
import Foundation

/// `POST /v1/profiles/NAME/sync` request body. Every field is optional: `{}`, an empty body and
/// `{"wait":true}` are requests with the defaults (every job, stored cursors, not a dry run).
public struct SyncRequest: Codable, Sendable, Hashable {
    public var job: String?
    public var since: Date?
    public var full: Bool
    public var dryRun: Bool
    public var allowMassDelete: Bool
    /// Keep the response open and stream `SyncEvent` lines until the run is over.
    public var wait: Bool

    enum CodingKeys: String, CodingKey {
        case job, since, full, wait
        case dryRun = "dry_run", allowMassDelete = "allow_mass_delete"
    }

    public init(
        job: String? = nil, since: Date? = nil, full: Bool = false, dryRun: Bool = false,
        allowMassDelete: Bool = false, wait: Bool = false
    ) {
        self.job = job
        self.since = since
        self.full = full
        self.dryRun = dryRun
        self.allowMassDelete = allowMassDelete
        self.wait = wait
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        job = try c.decodeIfPresent(String.self, forKey: .job)
        since = try c.decodeIfPresent(Date.self, forKey: .since)
        full = try c.decodeIfPresent(Bool.self, forKey: .full) ?? false
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        allowMassDelete = try c.decodeIfPresent(Bool.self, forKey: .allowMassDelete) ?? false
        wait = try c.decodeIfPresent(Bool.self, forKey: .wait) ?? false
    }

    public var options: RunOptions {
        RunOptions(trigger: .manual, dryRun: dryRun, full: full, since: since, allowMassDelete: allowMassDelete)
    }
}

/// One line of a waited sync's NDJSON response: `accepted`, `queued`, `progress`, `run` (one per
/// job run, with its summary), then `done` (or `error`).
public struct SyncEvent: Codable, Sendable, Hashable {
    public var event: String
    public var progress: RunProgress?
    public var job: String?
    public var run: RunSummary?
    public var ok: Bool?
    public var error: String?

    public init(
        event: String, progress: RunProgress? = nil, job: String? = nil, run: RunSummary? = nil,
        ok: Bool? = nil, error: String? = nil
    ) {
        self.event = event
        self.progress = progress
        self.job = job
        self.run = run
        self.ok = ok
        self.error = error
    }
}

/// The body of every non-streaming `POST` answer and of every error: `ok`, a message, and for
/// errors a stable code (`profile.not_found`, `profile.not_running`, `api.unauthorized`, …).
public struct ActionResult: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var ok: Bool
    public var message: String
    public var code: ErrorCode?
    /// `test-connection`: one entry per connection.
    public var connections: [ConnectionResult]?

    public init(ok: Bool, message: String, code: ErrorCode? = nil, connections: [ConnectionResult]? = nil) {
        self.ok = ok
        self.message = message
        self.code = code
        self.connections = connections
    }
}

public struct ConnectionResult: Codable, Sendable, Hashable {
    public var name: String
    public var ok: Bool
    public var detail: String
    public init(name: String, ok: Bool, detail: String) {
        self.name = name
        self.ok = ok
        self.detail = detail
    }
}

/// `GET /v1/health`.
public struct Health: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var ok: Bool
    public var version: String
    public var pid: Int32
    public var uptimeS: Int
    public var profiles: Int
    public var running: Int
    /// `--shard K/N`: this daemon's shard K and the shard count N (absent without `--shard`);
    /// `profiles` counts this shard's profiles only.
    public var shard: Int?
    public var shards: Int?

    enum CodingKeys: String, CodingKey {
        case v, ok, version, pid, profiles, running, shard, shards
        case uptimeS = "uptime_s"
    }

    public init(ok: Bool, version: String, pid: Int32, uptimeS: Int, profiles: Int, running: Int) {
        self.ok = ok
        self.version = version
        self.pid = pid
        self.uptimeS = uptimeS
        self.profiles = profiles
        self.running = running
    }
}

/// `GET /v1/profiles/NAME/logs?tail=N` (without `follow`): the most recent lines.
public struct LogLines: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var lines: [String]
    public init(lines: [String]) { self.lines = lines }
}

/// One line of `almanac logs NAME --follow --json`: a log line as it was kept, one object per line.
public struct LogLine: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var line: String
    public init(line: String) { self.line = line }
}
