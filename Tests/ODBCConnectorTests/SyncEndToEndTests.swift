import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Logging
import Testing

@testable import ODBCConnector

/// A profile with an ODBC source (SQLite) and a memory sink, run by the sync engine: rows sync,
/// then an update, a deletion inside the window, a row moving out of the window, and a
/// write-back through `on_confirmed`, asserted on the database rows and the sink's items.
@Suite(.serialized) struct SyncEndToEndTests {
    let dir: URL
    let db: String
    let sql: SQL
    let sink: MemoryStore
    let state: StateStore
    let profile: Profile
    /// 2026-03-10 12:00 UTC (06:00 in Chicago, after the DST change of 03-08).
    let now = Fixture.date("2026-03-10T12:00:00Z")

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-odbc-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        db = dir.appendingPathComponent("clinic.db").path
        _ = FileManager.default.createFile(atPath: db, contents: Data())
        sql = try SQL("Driver=SQLite3;Database=\(db);")
        try sql.exec(
            """
            CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, starts TIMESTAMP, ends TIMESTAMP,
              client TEXT, kind TEXT, confirmed INTEGER NOT NULL DEFAULT 0)
            """)
        profile = try Self.profile(in: dir, db: db)
        sink = try MemoryStore()
        state = try StateStore(path: dir.appendingPathComponent("clinic.sqlite").path)
    }

    /// Writes and loads `clinic.toml`: the database as `from`, a memory calendar as `to`.
    static func profile(
        in dir: URL, db: String, applyBack: String = "create = false, update = false, delete = false",
        extraSource: String = "", onConfirmed: Bool = true, respondedColumn: String = ""
    ) throws -> Profile {
        let text = """
            timezone = "America/Chicago"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"
            [connections.cal]
            connector = "memory"
            path = "to.json"
            [[jobs]]
            name = "appointments"
            from = "db"
            to = "cal"
            direction = "two-way"
            window = { past_days = 7, future_days = 30, chunk_days = 7 }
            apply_back = { \(applyBack) }
            title_template = "Appt with {{participant_0_name}}"
            [jobs.source]
            read_query = '''
            SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time,
                   client AS participant_0_name, kind AS appt_type\(respondedColumn)
            FROM appointments
            WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            '''
            \(onConfirmed ? "on_confirmed = \"UPDATE appointments SET confirmed = 1 WHERE id = :external_id\"" : "")
            \(extraSource)
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
    func run(daysLater: Double = 0, profile: Profile? = nil) throws -> RunReport {
        let profile = profile ?? self.profile
        let job = profile.jobs[0]
        let conn = profile.connections["db"]!
        let context = ConnectorContext(
            profile: profile.name, job: job.name, side: .from, connectionName: "db",
            connection: conn.settings, jobSettings: job.source, timeZone: profile.timeZone,
            stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "e2e"),
            phonePriority: job.phonePriority)
        let from = try ODBCModule.make(context)
        let to = MemoryConnector(store: sink, timeZone: profile.timeZone)
        let syncJob = try SyncJob(
            profile: profile.name, config: job, timeZone: profile.timeZone, from: from, to: to,
            batchSize: 100)
        let report = SyncEngine(job: syncJob, from: from, to: to, store: state).run(
            options: RunOptions(), now: now.addingTimeInterval(daysLater * 86_400)
        ).report
        #expect(report.result == .success, "\(report.error ?? "")")
        return report
    }

    /// Sink items by title.
    var sinkItems: [String: MemoryStore.Record] {
        Dictionary(sink.live.values.map { ($0.event.title ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func syncsUpdatesDeletesWindowMovesAndWritesBack() throws {
        try sql.exec(
            "INSERT INTO appointments VALUES (1, 'Checkup', '2026-03-11 09:00:00', '2026-03-11 09:30:00', 'Ann', 'checkup', 0)",
            "INSERT INTO appointments VALUES (2, 'Cleaning', '2026-03-12 10:00:00', '2026-03-12 11:00:00', 'Bob', 'hygiene', 0)",
            "INSERT INTO appointments VALUES (3, 'X-ray', '2026-03-20 15:00:00', NULL, 'Cy', 'xray', 0)",
            "INSERT INTO appointments VALUES (4, 'Long ago', '2026-01-05 09:00:00', NULL, 'Di', NULL, 0)")

        // 1. First run: the three rows of the window are created in the sink.
        var report = try run()
        #expect(report.toCounts.created == 3)
        #expect(sinkItems.keys.sorted() == ["Checkup", "Cleaning", "X-ray"])
        #expect(
            sinkItems["Checkup"]?.event.start
                == .instant(Fixture.date("2026-03-11T14:00:00Z"), timeZone: "America/Chicago"))
        #expect(sinkItems["Cleaning"]?.event.custom["appt_type"] == "hygiene")

        // 2. An update in the database reaches the sink.
        try sql.exec("UPDATE appointments SET subject = 'Checkup (long)', ends = '2026-03-11 10:00:00' WHERE id = 1")
        report = try run()
        #expect(report.toCounts.updated == 1)
        #expect(
            sinkItems["Checkup (long)"]?.event.end
                == .instant(Fixture.date("2026-03-11T15:00:00Z"), timeZone: "America/Chicago"))
        #expect(sinkItems["Checkup"] == nil)

        // 3. A row deleted inside the window is deleted in the sink.
        try sql.exec("DELETE FROM appointments WHERE id = 2")
        report = try run()
        #expect(report.toCounts.deleted == 1)
        #expect(sinkItems.keys.sorted() == ["Checkup (long)", "X-ray"])

        // 4. Rows moving out of the window as time passes are not deletions: ten days later the
        //    window starts on 03-13, the checkup (03-11) has left it, and the sink keeps it.
        report = try run(daysLater: 10)
        #expect(report.toCounts.deleted == 0)
        #expect(sinkItems.keys.sorted() == ["Checkup (long)", "X-ray"])

        // 5. The first participant accepts in the calendar, and nothing else changes there (the
        //    database side reads no response column): on_confirmed runs for that row only, once.
        let key = sinkItems["X-ray"]!.key
        try sink.edit(key) { $0.participants[0].response = .accepted }
        report = try run(daysLater: 10)
        #expect(report.fromCounts.confirmed == 1)
        #expect(report.toCounts.changed == 0 && report.fromCounts.updated == 0)
        #expect(
            try sql.rows("SELECT id, confirmed FROM appointments ORDER BY id") == [
                ["1", "0"], ["3", "1"], ["4", "0"],
            ])
        #expect(try sql.rows("SELECT subject FROM appointments WHERE id = 3") == [["X-ray"]])
        report = try run(daysLater: 10)
        #expect(report.fromCounts.confirmed == 0 && report.toCounts.changed == 0)
    }

    /// With `apply_back.update`, a calendar-side edit goes back through the `update` statement,
    /// its values bound (the title carries SQL).
    @Test func calendarEditsGoBackThroughUpdate() throws {
        let profile = try Self.profile(
            in: dir, db: db, applyBack: "create = false, update = true, delete = false",
            extraSource:
                "update = \"UPDATE appointments SET subject = :title, kind = :custom.appt_type WHERE id = :external_id\""
        )
        try sql.exec("INSERT INTO appointments VALUES (7, 'Checkup', '2026-03-11 09:00:00', NULL, 'Ann', 'checkup', 0)")
        #expect(try run(profile: profile).toCounts.created == 1)
        let key = sinkItems["Checkup"]!.key
        try sink.edit(key) {
            $0.title = "Checkup'); DROP TABLE appointments; --"
            $0.custom["appt_type"] = "follow-up"
        }
        let report = try run(profile: profile)
        #expect(report.fromCounts.updated == 1)
        #expect(
            try sql.rows("SELECT id, subject, kind FROM appointments")
                == [["7", "Checkup'); DROP TABLE appointments; --", "follow-up"]])
        // The row now reads back as written: nothing left to do.
        let again = try run(profile: profile)
        #expect(again.fromCounts.changed == 0 && again.toCounts.changed == 0)
    }
}
