import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Logging
import Testing

@testable import ODBCConnector

/// The engine's shortcut for rows it has seen mapped (`RowFact`, `ItemState.rowFrom`), run end to
/// end: an ODBC source (SQLite) synced one way to a memory calendar by the sync engine. A
/// changed cell still reaches the calendar, and a change of the profile's mapping (the zone, the
/// title template, a column's name) has every row mapped again.
@Suite(.timeLimit(.minutes(10)), .serialized) struct RowFactSyncTests {
    let dir: URL
    let sql: SQL
    let db: String
    let sink: MemoryStore
    let state: StateStore
    /// 2026-03-10 12:00 UTC.
    let now = Fixture.date("2026-03-10T12:00:00Z")
    static let count = 150
    static let select = """
        SELECT id AS external_id, subject AS title, notes AS content, room AS location, starts AS start_time,
               ends AS end_time, client AS participant_0_name, kind AS appt_type
        FROM appointments
        """
    static let query =
        select + " WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)"

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-rowfact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("clinic.db").path
        _ = FileManager.default.createFile(atPath: db, contents: Data())
        sql = try SQL("Driver=SQLite3;Database=\(db);")
        try sql.exec(
            """
            CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, notes TEXT, room TEXT,
              starts TIMESTAMP, ends TIMESTAMP, client TEXT, kind TEXT)
            """)
        try sql.exec(
            "INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows: (1...Self.count).map { i in
                let day = 11 + i % 15
                let hour = 10 + i % 9
                return [
                    .integer(i), .text(i % 5 == 0 ? nil : "Visit \(i)"), .text(i % 3 == 0 ? nil : "Notes \(i)"),
                    .text("Room \(i % 9)"), .text("2026-03-\(day) \(hour):00:00"),
                    .text("2026-03-\(day) \(hour):45:00"), .text("Client \(i % 40)"), .text("kind \(i % 4)"),
                ]
            })
        sink = try MemoryStore()
        state = try StateStore(path: dir.appendingPathComponent("clinic.sqlite").path)
    }

    func profile(
        zone: String = "America/Chicago", titleTemplate: String? = nil, query: String = query, extra: String = ""
    ) throws -> Profile {
        let text = """
            timezone = "\(zone)"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"
            fetch_rows = 32
            [connections.cal]
            connector = "memory"
            path = "to.json"
            [[jobs]]
            name = "appointments"
            from = "db"
            to = "cal"
            direction = "one-way"
            window = { past_days = 1, future_days = 30, chunk_days = 7 }
            \(titleTemplate.map { "title_template = \"\($0)\"" } ?? "")
            \(extra)
            [jobs.source]
            read_query = '''
            \(query)
            '''
            """
        let file = dir.appendingPathComponent("clinic.toml")
        try Data(text.utf8).write(to: file)
        switch ProfileLoader(connectors: [ODBCModule.self, MemoryModule.self]).load(path: file.path).result {
        case .success(let p): return p
        case .failure(let e):
            throw AlmanacError(.configInvalidValue, e.issues.map(\.description).joined(separator: "\n"))
        }
    }

    @discardableResult
    func run(_ profile: Profile) throws -> RunReport {
        let job = profile.jobs[0]
        let context = ConnectorContext(
            profile: profile.name, job: job.name, side: .from, connectionName: "db",
            connection: profile.connections["db"]!.settings, jobSettings: job.source, timeZone: profile.timeZone,
            stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "rowfact"),
            phonePriority: job.phonePriority)
        let from = try ODBCModule.make(context)
        let to = MemoryConnector(store: sink, timeZone: profile.timeZone)
        let syncJob = try SyncJob(
            profile: profile.name, config: job, timeZone: profile.timeZone, from: from, to: to, batchSize: 64)
        let report = SyncEngine(job: syncJob, from: from, to: to, store: state).run(options: RunOptions(), now: now)
            .report
        #expect(report.result == .success, "\(report.error ?? "")")
        return report
    }

    /// The facts the state keeps, by `from` key.
    func facts() throws -> [String: UInt64] {
        Dictionary(
            uniqueKeysWithValues: try state.items(job: "appointments", withBases: false).map {
                ($0.keyFrom!, $0.rowFrom)
            })
    }

    /// The calendar's events as comparable text, and the rows' as the connector maps them.
    func calendar() -> [String] {
        sink.live.values.map { Self.describe($0.event) }.sorted()
    }

    func database(_ profile: Profile, select: String = select) throws -> [String] {
        try sql.events(select, zone: profile.timeZone).values.map {
            var e = $0
            if let template = profile.jobs[0].titleTemplate, (e.title ?? "").isEmpty {
                e.title = template.replacingOccurrences(
                    of: "{{participant_0_name}}", with: e.participants.first?.name ?? "")
            }
            return Self.describe(e)
        }.sorted()
    }

    static func describe(_ e: Event) -> String {
        let custom = e.custom.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return [
            e.title ?? "-", e.description ?? "-", e.location ?? "-", "\(e.start)", e.end.map { "\($0)" } ?? "-",
            e.participants.map { $0.name ?? "-" }.joined(separator: ","), custom.joined(separator: ","),
        ].joined(separator: "|")
    }

    @Test(arguments: [UInt64(7), 8])
    func aChangedCellReachesTheCalendar(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        let profile = try profile()
        #expect(try run(profile).toCounts.created == Self.count)
        #expect(try facts().values.allSatisfy { $0 == 0 })
        // The first run that finds the rows unchanged keeps what each maps to; the next keeps it.
        #expect(try run(profile).toCounts.unchanged == Self.count)
        let kept = try facts()
        #expect(kept.count == Self.count && kept.values.allSatisfy { $0 != 0 })
        #expect(try run(profile).toCounts.unchanged == Self.count)
        #expect(try facts() == kept)
        #expect(calendar() == (try database(profile)))

        let columns = ["subject", "notes", "room", "client", "kind", "ends"]
        var previous = kept
        for _ in 0..<4 {
            var changed: Set<Int> = []
            for _ in 0..<(1 + random.below(8)) {
                let row = 1 + random.below(Self.count)
                guard changed.insert(row).inserted else { continue }
                let column = columns[random.below(columns.count)]
                let old = try sql.rows("SELECT \(column) FROM appointments WHERE id = \(row)")[0][0]
                let value: String?
                if column == "ends" {
                    value = old.map { $0.dropLast(5) + ($0.hasSuffix("45:00") ? "50:00" : "45:00") }
                } else if let old {
                    // No value, a longer one, or one of the same length (only the bytes differ).
                    let same = String(old.dropLast()) + (old.hasSuffix("#") ? "%" : "#")
                    value = [nil, old + " (moved)", same, same][random.below(4)]
                } else {
                    value = "new \(row)"
                }
                // The column's name is one of this test's literals; the values are bound.
                try sql.exec("UPDATE appointments SET \(column) = ? WHERE id = ?", [.text(value), .integer(row)])
            }
            let report = try run(profile)
            #expect(report.toCounts.updated == changed.count)
            #expect(report.toCounts.unchanged == Self.count - changed.count)
            #expect(calendar() == (try database(profile)))
            // Found unchanged in full on the next run, the changed rows' facts are kept anew.
            #expect(try run(profile).toCounts.unchanged == Self.count)
            let after = try facts()
            for key in changed.map(String.init) { #expect(after[key] != previous[key] && after[key] != 0) }
            previous = after
        }
    }

    @Test func aMappingChangeHasEveryRowMappedAgain() throws {
        var profile = try profile()
        try run(profile)
        try run(profile)
        let kept = try facts()
        #expect(kept.values.allSatisfy { $0 != 0 })

        // A title template fills the 30 rows without a subject in: those are updated.
        profile = try self.profile(titleTemplate: "Appt {{participant_0_name}}")
        var report = try run(profile)
        #expect(report.toCounts.updated == Self.count / 5)
        #expect(calendar() == (try database(profile)))
        try run(profile)
        let templated = try facts()
        #expect(templated.allSatisfy { $0.value != 0 && $0.value != kept[$0.key] })

        // Another zone: every naive time is another instant.
        profile = try self.profile(zone: "America/New_York", titleTemplate: "Appt {{participant_0_name}}")
        report = try run(profile)
        #expect(report.toCounts.updated == Self.count)
        #expect(calendar() == (try database(profile)))

        // Another name for a column: every item has another custom field.
        let renamed = Self.query.replacingOccurrences(of: "kind AS appt_type", with: "kind AS visit_type")
        profile = try self.profile(
            zone: "America/New_York", titleTemplate: "Appt {{participant_0_name}}", query: renamed)
        report = try run(profile)
        #expect(report.toCounts.updated == Self.count)
        let select = Self.select.replacingOccurrences(of: "kind AS appt_type", with: "kind AS visit_type")
        #expect(calendar() == (try database(profile, select: select)))
    }

    @Test func aPrivacyChangeHasEveryRowMappedAgain() throws {
        var profile = try profile()
        try run(profile)
        try run(profile)
        #expect(try facts().values.allSatisfy { $0 != 0 })

        // busy: every event loses what it carried beyond its times, so each is written again.
        profile = try self.profile(extra: "privacy = \"busy\"")
        var report = try run(profile)
        #expect(report.toCounts.updated == Self.count)
        #expect(sink.live.values.allSatisfy { $0.event.title == "Busy" && $0.event.participants.isEmpty })
        report = try run(profile)
        #expect(report.toCounts.updated == 0)
        #expect(try facts().values.allSatisfy { $0 != 0 })

        // Another busy title: the same rows, the same privacy, another title on every event.
        profile = try self.profile(extra: "privacy = \"busy\"\nbusy_title = \"Taken\"")
        report = try run(profile)
        #expect(report.toCounts.updated == Self.count)
        #expect(sink.live.values.allSatisfy { $0.event.title == "Taken" })
    }
}
