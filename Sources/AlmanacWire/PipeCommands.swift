import AlmanacCore
import Foundation

// The payloads of the supervisor → worker messages (see `PipeMessage` for what answers each).
extension PipeMessage {
    /// `sync`: run one job, or every job of the profile.
    public struct Sync: Sendable, Hashable {
        public var id: String
        /// Nil: every job, in file order.
        public var job: String?
        public var since: Date?
        public var full: Bool
        public var dryRun: Bool
        public var allowMassDelete: Bool

        public init(id: String, job: String?, options: RunOptions) {
            self.id = id
            self.job = job
            self.since = options.since
            self.full = options.full
            self.dryRun = options.dryRun
            self.allowMassDelete = options.allowMassDelete
        }

        /// The run options the command asks for (trigger `manual`).
        public var runOptions: RunOptions {
            RunOptions(trigger: .manual, dryRun: dryRun, full: full, since: since, allowMassDelete: allowMassDelete)
        }
    }

    /// `test_connection`: test one connection, or every connection of the profile.
    public struct TestConnection: Codable, Sendable, Hashable {
        public var id: String
        /// Nil: every connection.
        public var connection: String?

        enum CodingKeys: String, CodingKey {
            case id
            case connection = "name"
        }

        public init(id: String, connection: String?) {
            self.id = id
            self.connection = connection
        }
    }

    /// `history`: the run history of one job (`job`) or of all, newest first, at most `limit`
    /// runs; answered by a `reply` carrying `runs`.
    public struct History: Codable, Sendable, Hashable {
        public var id: String
        public var job: String?
        public var limit: Int

        public init(id: String, job: String?, limit: Int) {
            self.id = id
            self.job = job
            self.limit = limit
        }
    }

    /// `conflicts`: the schedule conflicts kept of one job (`job`) or of all, as of each job's last
    /// run, at most `ConflictList.maxCount`; answered by a `reply` carrying `conflicts` (and
    /// `conflict_count`, how many there are).
    public struct Conflicts: Codable, Sendable, Hashable {
        public var id: String
        public var job: String?

        public init(id: String, job: String?) {
            self.id = id
            self.job = job
        }
    }

    /// `ping`: answered by a `reply`.
    public struct Ping: Codable, Sendable, Hashable {
        public var id: String
        public init(id: String) { self.id = id }
    }

    /// `shutdown`: finish the running job within the deadline, then exit 0.
    public struct Shutdown: Codable, Sendable, Hashable {
        public var id: String
        public var deadlineMS: Int

        enum CodingKeys: String, CodingKey {
            case id
            case deadlineMS = "deadline_ms"
        }

        public init(id: String, deadlineMS: Int) {
            self.id = id
            self.deadlineMS = deadlineMS
        }
    }
}

/// The flags of `sync` are written only when true, as the protocol's first version wrote them.
extension PipeMessage.Sync: Codable {
    enum CodingKeys: String, CodingKey {
        case id, job, since, full
        case dryRun = "dry_run", allowMassDelete = "allow_mass_delete"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        job = try c.decodeIfPresent(String.self, forKey: .job)
        since = try c.decodeIfPresent(Date.self, forKey: .since)
        full = try c.decodeIfPresent(Bool.self, forKey: .full) ?? false
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        allowMassDelete = try c.decodeIfPresent(Bool.self, forKey: .allowMassDelete) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(job, forKey: .job)
        try c.encodeIfPresent(since, forKey: .since)
        if full { try c.encode(true, forKey: .full) }
        if dryRun { try c.encode(true, forKey: .dryRun) }
        if allowMassDelete { try c.encode(true, forKey: .allowMassDelete) }
    }
}
