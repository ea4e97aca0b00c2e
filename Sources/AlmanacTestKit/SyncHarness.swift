import AlmanacCore
import AlmanacSync
import Foundation

/// A job between two memory connectors with a real state file, for engine tests:
/// `let h = try SyncHarness(job: "direction = \"two-way\"")`, seed `h.fromStore`/`h.toStore`,
/// `h.run()`, then assert on the stores.
public final class SyncHarness {
    public let directory: URL
    public let profile: Profile
    public var job: JobConfig
    public let fromStore: MemoryStore
    public let toStore: MemoryStore
    public let fromFaults = MemoryFaults()
    public let toFaults = MemoryFaults()
    public let state: StateStore
    public var now: Date
    public var batchSize = 100
    public var faultHook: (FaultPoint) -> Void = { _ in }

    /// - `job`: extra TOML lines for the `[[jobs]]` table (direction, window, conflict…).
    /// - `fromOptions`/`toOptions`: the memory stores' behaviour.
    /// - `directory`: where the profile, stores and state live (a fresh temporary one by default).
    /// - `profileLines`: extra top-level TOML lines of the profile (`default_region = "US"`).
    public init(
        job extra: String = "", timezone: String = "America/Chicago", profileLines: String = "",
        fromOptions: MemoryStore.Options = .init(),
        toOptions: MemoryStore.Options = .init(), directory: URL? = nil, persistent: Bool = false,
        now: Date = ConnectorConformance.defaultWindow.start.addingTimeInterval(7 * 86_400)
    ) throws {
        let dir =
            directory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-sync-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.directory = dir
        self.now = now
        profile = try Self.loadProfile(in: dir, timezone: timezone, job: extra, profileLines: profileLines)
        self.job = profile.jobs[0]
        fromStore = try MemoryStore(
            options: fromOptions, file: persistent ? dir.appendingPathComponent("from.json") : nil)
        toStore = try MemoryStore(options: toOptions, file: persistent ? dir.appendingPathComponent("to.json") : nil)
        state = try StateStore(path: dir.appendingPathComponent("test.sqlite").path)
    }

    /// A harness whose job runs `direction` (`one-way`, `two-way`) over 7 days back and 30 ahead,
    /// in 7-day chunks: what the scenarios against real connectors use.
    public static func windowed(direction: String = "one-way") throws -> SyncHarness {
        try SyncHarness(
            job: """
                direction = "\(direction)"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                """)
    }

    /// Writes `test.toml` with two memory connections (`a` → `b`) and one job `j`, and loads it.
    public static func loadProfile(
        in dir: URL, timezone: String, job extra: String, profileLines: String = ""
    ) throws -> Profile {
        let text = """
            timezone = "\(timezone)"
            \(profileLines)
            [connections.a]
            connector = "memory"
            path = "from.json"
            [connections.b]
            connector = "memory"
            path = "to.json"
            [[jobs]]
            name = "j"
            from = "a"
            to = "b"
            \(extra)
            """
        let file = dir.appendingPathComponent("test.toml")
        try Data(text.utf8).write(to: file)
        let loaded = ProfileLoader(connectors: [MemoryModule.self]).load(path: file.path)
        switch loaded.result {
        case .success(let p): return p
        case .failure(let e):
            throw AlmanacError(.configInvalidValue, e.issues.map(\.description).joined(separator: "\n"))
        }
    }

    public var fromConnector: MemoryConnector {
        MemoryConnector(store: fromStore, faults: fromFaults, timeZone: profile.timeZone, kind: job.kind)
    }

    public var toConnector: MemoryConnector {
        MemoryConnector(store: toStore, faults: toFaults, timeZone: profile.timeZone, kind: job.kind)
    }

    /// The engine of the job between the memory stores, or `from`/`to` when given (a real
    /// connector on one side), against `store` (default: the harness's state).
    public func engine(from: (any Connector)? = nil, to: (any Connector)? = nil, store: StateStore? = nil) throws
        -> SyncEngine
    {
        let from = from ?? fromConnector
        let to = to ?? toConnector
        let syncJob = try SyncJob(
            profile: profile.name, config: job, timeZone: profile.timeZone, from: from, to: to,
            batchSize: batchSize, defaultRegion: profile.defaultRegion)
        let engine = SyncEngine(job: syncJob, from: from, to: to, store: store ?? state)
        engine.faultHook = faultHook
        return engine
    }

    @discardableResult
    public func run(
        _ options: RunOptions = RunOptions(), from: (any Connector)? = nil, to: (any Connector)? = nil,
        store: StateStore? = nil
    ) throws -> SyncOutcome {
        try engine(from: from, to: to, store: store).run(options: options, now: now)
    }

    /// An appointment starting `hours` after `now`.
    public func event(
        _ title: String?, hours: Double = 1, minutes: Double = 30, status: EventStatus = .confirmed,
        participant: String? = "Ann"
    ) -> Event {
        let start = now.addingTimeInterval(hours * 3_600)
        return Event(
            title: title, start: .instant(start, timeZone: profile.timeZone.identifier),
            end: .instant(start.addingTimeInterval(minutes * 60), timeZone: profile.timeZone.identifier),
            status: status,
            participants: participant.map { [Participant(name: $0, email: "\($0.lowercased())@example.org")] } ?? [])
    }

    /// Live items of a store as `title` strings, sorted (duplicates show twice).
    public static func titles(_ store: MemoryStore) -> [String] {
        store.live.values.map { $0.event.title ?? "" }.sorted()
    }
}
