import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Logging
import ODBCConnector

/// One configuration of the job run for a number of rounds on a fresh database, calendar and
/// state: each round applies random changes to both sides (and to the model), runs the engine,
/// compares both sides with the model, and runs again to see nothing left to do.
final class Episode {
    static let zone = TimeZone(identifier: "America/Chicago")!
    /// 2026-03-10 12:00 UTC: the window (7 days back, 30 ahead) spans the DST change of 03-08.
    static let now = Date(timeIntervalSince1970: 1_773_144_000)
    /// `ALMANAC_MODEL_TRACE=1` prints every round's changes and counts.
    static let trace = ProcessInfo.processInfo.environment["ALMANAC_MODEL_TRACE"] == "1"
    /// Warnings and errors only: a run's info lines (an expired sync token…) are expected here.
    static let logger: Logger = {
        var l = Logger(label: "model")
        l.logLevel = .warning
        return l
    }()

    let config: EpisodeConfig
    let directory: URL
    let database: ClinicDatabase
    let calendar: any CalendarSide
    let profile: Profile
    var state: StateStore
    var model: SyncModel
    var generator: MutationGenerator
    /// Every change so far, by round: what a failure prints to replay it.
    var history: [(round: Int, mutations: [Mutation])] = []
    /// Whether the next run lists in full.
    var fullListing = false

    init(config: EpisodeConfig, seed: UInt64, known: Set<KnownDefect>) throws {
        self.config = config
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-model-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try ClinicDatabase(directory: directory, zone: Self.zone)
        switch config.calendar {
        case .google: calendar = try GoogleSide(directory: directory, zone: Self.zone)
        case .cronofy: calendar = try CronofySide(directory: directory, zone: Self.zone)
        }
        profile = try Self.profile(config, directory: directory, database: database.path)
        state = try StateStore(path: Self.statePath(directory))
        let job = profile.jobs[0]
        model = SyncModel(
            config: config, window: job.window.window(around: Self.now), profile: profile.name, job: job.name)
        generator = MutationGenerator(random: SeededRandom(seed: seed), known: known, now: Self.now, zone: Self.zone)
    }

    static func statePath(_ directory: URL) -> String { directory.appendingPathComponent("state.sqlite").path }

    deinit {
        calendar.server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func profile(_ c: EpisodeConfig, directory: URL, database: String) throws -> Profile {
        func flags(_ a: ApplyFlags) -> String { "{ create = \(a.create), update = \(a.update), delete = \(a.delete) }" }
        let text = """
            timezone = "\(zone.identifier)"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(database);"
            [connections.cal]
            connector = "memory"
            path = "cal.json"
            [[jobs]]
            name = "appts"
            from = "db"
            to = "cal"
            direction = "two-way"
            window = { past_days = 7, future_days = 30, chunk_days = 7 }
            conflict = "\(c.conflict.rawValue)"
            apply = \(flags(c.apply))
            apply_back = \(flags(c.applyBack))
            [jobs.source]
            \(ClinicDatabase.source)
            """
        let file = directory.appendingPathComponent("clinic.toml")
        try Data(text.utf8).write(to: file)
        switch ProfileLoader(connectors: [ODBCModule.self, MemoryModule.self]).load(path: file.path).result {
        case .success(let p): return p
        case .failure(let e): throw ModelFailure(e.issues.map(\.description).joined(separator: "\n"))
        }
    }

    /// One run of the engine with a fresh ODBC connector (as each run of the worker has).
    func runEngine() throws -> RunReport {
        defer { fullListing = false }
        let job = profile.jobs[0]
        let context = ConnectorContext(
            profile: profile.name, job: job.name, side: .from, connectionName: "db",
            connection: profile.connections["db"]!.settings, jobSettings: job.source, timeZone: Self.zone,
            stateDirectory: directory, profileDirectory: directory, logger: Episode.logger,
            phonePriority: job.phonePriority)
        let from = try ODBCModule.make(context)
        let syncJob = try SyncJob(
            profile: profile.name, config: job, timeZone: Self.zone, from: from, to: calendar.connector, batchSize: 50)
        return SyncEngine(job: syncJob, from: from, to: calendar.connector, store: state)
            .run(options: RunOptions(full: fullListing, allowMassDelete: true), now: Self.now).report
    }

    /// Applies a change to the system and to the model; returns the key of an event it made.
    @discardableResult
    func apply(_ m: Mutation) throws -> String? {
        switch m {
        case .putRow(let id, let f, let newer, _):
            var row = model.rows[id] ?? RowValue(fields: f)
            row.fields = f
            row.newer = newer
            try database.upsert(id, row)
            model.rows[id] = row
        case .deleteRow(let id):
            try database.delete(id)
            model.rows[id] = nil
        case .createEvent(var f):
            f.kind = nil
            if f.email == nil { f.name = nil }
            let key = calendar.create(f)
            model.events[key] = EventValue(fields: f, response: f.email == nil ? "" : "needsAction", external: true)
            return key
        case .editEvent(let key, let f, _):
            calendar.edit(key, f)
            for field in [Field.title, .notes, .location, .start, .end] {
                field.copy(from: f, into: &model.events[key]!.fields)
            }
        case .respond(let key, let r):
            calendar.respond(key, r)
            model.events[key]!.response = r
        case .deleteEvent(let key):
            calendar.delete(key)
            model.events[key] = nil
        case .touchUnsynced(let key):
            calendar.touchUnsynced(key)
        case .expireCursor:
            calendar.server.google?.expireSyncTokens()
        case .fullListing:
            fullListing = true
        case .loseState:
            let path = Self.statePath(directory)
            state = try StateStore(path: directory.appendingPathComponent("scratch.sqlite").path)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            state = try StateStore(path: path)
            model.loseState()
        }
        return nil
    }

    /// Plays round `n`; returns what went wrong, or nil.
    func round(_ n: Int) throws -> String? {
        var mutations: [Mutation] = []
        for _ in 0..<generator.changesThisRound() {
            guard let m = generator.draw(model) else { continue }
            mutations.append(m)
            try apply(m)
        }
        return try settle(n, mutations)
    }

    /// Runs the engine after round `n`'s changes (already applied) and checks both sides against
    /// the model, then that the next run is idle; returns what went wrong, or nil.
    func settle(_ n: Int, _ mutations: [Mutation]) throws -> String? {
        history.append((n, mutations))
        let expected = model.run()
        let report = try runEngine()
        if Self.trace {
            print("round \(n): " + mutations.map(\.description).joined(separator: "; "))
            print("  expected \(expected); to: \(report.toCounts.summary); from: \(report.fromCounts.summary)")
        }
        var problems = Check.report(report, expected: expected)
        problems += try Check.sides(database: database.rows(), events: calendar.events(), model: model)
        guard problems.isEmpty else { return problems.joined(separator: "\n") }
        let rows = try database.rows()
        let events = calendar.events()
        let again = try runEngine()
        problems += Check.report(again, expected: ExpectedCounts()).map { "next run not idle: " + $0 }
        if try database.rows() != rows { problems.append("next run changed the database") }
        if calendar.events() != events { problems.append("next run changed the calendar") }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }

    /// The episode's changes, round by round.
    var replay: String {
        history.map { h in
            "  round \(h.round):\n" + h.mutations.map { "    \($0)" }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
