import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import ODBCConnector

/// A SQLite source through the ODBC connector and a memory calendar, run by the sync engine: a
/// row moved out of the window keeps its event (the lookup finds it), and after a lost state
/// file the write-back statements do not run again for answers already written.
@Suite(.serialized) struct LookupEndToEndTests {
    let e2e: SyncEndToEndTests

    init() throws { e2e = try SyncEndToEndTests() }

    static let lookupQuery = """
        lookup_query = '''
        SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time,
               client AS participant_0_name, kind AS appt_type
        FROM appointments WHERE id IN (:keys)
        '''
        """

    @Test(arguments: ["", lookupQuery])
    func aRowMovedOutOfTheWindowKeepsItsEvent(lookup: String) throws {
        let profile = try SyncEndToEndTests.profile(in: e2e.dir, db: e2e.db, extraSource: lookup)
        try e2e.sql.exec(
            "INSERT INTO appointments VALUES (1, 'Checkup', '2026-03-11 09:00:00', '2026-03-11 09:30:00', 'Ann', 'checkup', 0)",
            "INSERT INTO appointments VALUES (2, 'Cleaning', '2026-03-12 10:00:00', '2026-03-12 11:00:00', 'Bob', 'hygiene', 0)",
            "INSERT INTO appointments VALUES (3, 'X-ray', '2026-03-13 10:00:00', NULL, 'Cy', 'xray', 0)")
        #expect(try e2e.run(profile: profile).toCounts.created == 3)
        let key = try #require(e2e.sinkItems["Checkup"]?.key)

        // 60 days ahead: outside the window (30 days). One row deleted as well.
        try e2e.sql.exec(
            "UPDATE appointments SET starts = '2026-05-10 09:00:00', ends = '2026-05-10 09:30:00' WHERE id = 1",
            "DELETE FROM appointments WHERE id = 2")
        let report = try e2e.run(profile: profile)
        #expect(report.toCounts.deleted == 1)
        #expect(e2e.sinkItems.keys.sorted() == ["Checkup", "X-ray"])
        #expect(try e2e.state.items(job: "appointments").contains { $0.keyFrom == "1" && $0.keyTo == key })

        // Back in the window: the same event follows.
        try e2e.sql.exec(
            "UPDATE appointments SET starts = '2026-03-20 09:00:00', ends = '2026-03-20 09:30:00' WHERE id = 1")
        let back = try e2e.run(profile: profile)
        #expect(back.toCounts.updated == 1 && back.toCounts.created == 0)
        #expect(
            e2e.sink.live[key]?.event.start
                == .instant(Fixture.date("2026-03-20T14:00:00Z"), timeZone: "America/Chicago"))
    }

    /// Forgets every item and cursor of the job, as a lost state file does.
    func loseState() throws {
        let ids = try e2e.state.items(job: "appointments").compactMap(\.id)
        try e2e.state.commit(job: "appointments", upserts: [], removals: ids)
        try e2e.state.dropCursors(job: "appointments")
    }

    /// An acceptance written back with a statement that is not idempotent (a row in a log) is
    /// not written again after the state is lost; declared idempotent, it is.
    @Test(arguments: [false, true])
    func writeBacksAreNotRepeatedAfterLostState(idempotent: Bool) throws {
        try e2e.sql.exec("CREATE TABLE confirmations (appointment INTEGER NOT NULL)")
        let profile = try SyncEndToEndTests.profile(
            in: e2e.dir, db: e2e.db,
            extraSource: """
                on_confirmed = "INSERT INTO confirmations (appointment) VALUES (:external_id)"
                write_back_idempotent = \(idempotent)
                """, onConfirmed: false)
        try e2e.sql.exec(
            "INSERT INTO appointments VALUES (1, 'Checkup', '2026-03-11 09:00:00', '2026-03-11 09:30:00', 'Ann', 'checkup', 0)"
        )
        try e2e.run(profile: profile)
        let key = try #require(e2e.sinkItems["Checkup"]?.key)
        try e2e.sink.edit(key) { $0.participants[0].response = .accepted }
        #expect(try e2e.run(profile: profile).fromCounts.confirmed == 1)
        #expect(try e2e.sql.rows("SELECT appointment FROM confirmations") == [["1"]])

        try loseState()
        let relinked = try e2e.run(profile: profile)
        #expect(relinked.toCounts.created == 0)
        #expect(relinked.fromCounts.confirmed == (idempotent ? 1 : 0))
        #expect(try e2e.sql.rows("SELECT appointment FROM confirmations").count == (idempotent ? 2 : 1))
        let next = try e2e.run(profile: profile)
        #expect(next.fromCounts.confirmed == 0 && next.toCounts.changed == 0)
        #expect(try e2e.sql.rows("SELECT appointment FROM confirmations").count == (idempotent ? 2 : 1))
    }

    /// A read query that shows the answer (`participant_0_response` from the column the statement
    /// sets): the row says it was written back, so it is not written again.
    @Test func aRowShowingTheAnswerIsNotWrittenBackAgain() throws {
        try e2e.sql.exec("CREATE TABLE confirmations (appointment INTEGER NOT NULL)")
        let profile = try SyncEndToEndTests.profile(
            in: e2e.dir, db: e2e.db,
            extraSource: """
                on_confirmed = '''
                UPDATE appointments SET confirmed = confirmed + 1 WHERE id = :external_id
                '''
                """, onConfirmed: false,
            respondedColumn:
                ", CASE WHEN confirmed > 0 THEN 'accepted' ELSE 'needs_action' END AS participant_0_response")
        try e2e.sql.exec(
            "INSERT INTO appointments VALUES (1, 'Checkup', '2026-03-11 09:00:00', '2026-03-11 09:30:00', 'Ann', 'checkup', 0)",
            "INSERT INTO appointments VALUES (2, 'Cleaning', '2026-03-12 10:00:00', '2026-03-12 11:00:00', 'Bob', 'hygiene', 0)"
        )
        try e2e.run(profile: profile)
        let first = try #require(e2e.sinkItems["Checkup"]?.key)
        try e2e.sink.edit(first) { $0.participants[0].response = .accepted }
        #expect(try e2e.run(profile: profile).fromCounts.confirmed == 1)

        // Lost state; meanwhile the second client accepts too: only that one is written back.
        try loseState()
        let second = try #require(e2e.sinkItems["Cleaning"]?.key)
        try e2e.sink.edit(second) { $0.participants[0].response = .accepted }
        let relinked = try e2e.run(profile: profile)
        #expect(relinked.fromCounts.confirmed == 1)
        #expect(try e2e.sql.rows("SELECT id, confirmed FROM appointments ORDER BY id") == [["1", "1"], ["2", "1"]])
    }
}

/// `lookup` on SQLite: `lookup_query` binds every key (over several executions), the fallback
/// reads the read query over 1900–2100, and an unreadable row asked for fails the lookup.
@Suite struct ODBCLookupTests {
    let db = Fixture.sqliteFile()
    let read =
        "SELECT id AS external_id, subject AS title, starts AS start_time FROM appointments "
        + "WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)"

    init() throws {
        let sql = try SQL("Driver=SQLite3;Database=\(db);")
        try sql.exec("CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, starts TEXT)")
        try sql.exec(
            "INSERT INTO appointments WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) "
                + "SELECT i, 'Visit ' || i, '2026-03-11 09:00:00' FROM n",
            "UPDATE appointments SET starts = '2090-01-02 09:00:00' WHERE id = 7",
            "UPDATE appointments SET starts = 'not a date' WHERE id = 9")
    }

    @Test func lookupQueryBindsEveryKey() throws {
        let c = try Fixture.connector(
            "Driver=SQLite3;Database=\(db);",
            job: [
                "read_query": read,
                "lookup_query":
                    "SELECT id AS external_id, 'found ' || subject AS title, starts AS start_time "
                    + "FROM appointments WHERE id IN (:keys)",
            ])
        let keys = (1...1_100).map(String.init).filter { $0 != "9" } + ["5000"]
        let found = try c.lookup(keys)
        #expect(found.count == 1_099)
        #expect(Set(found.map(\.key)) == Set(keys.dropLast()))
        #expect(found.first { $0.key == "1050" }?.event.title == "found Visit 1050")
        #expect(
            found.first { $0.key == "7" }?.event.start.date(in: Fixture.chicago) == Fixture.date("2090-01-02T15:00:00Z")
        )
        let bad = #expect(throws: AlmanacError.self) { try c.lookup(["8", "9"]) }
        #expect(bad?.code.rawValue == "odbc.unreadable_row")
    }

    @Test func withoutLookupQueryTheReadQueryRunsOverAWideWindow() throws {
        let c = try Fixture.connector("Driver=SQLite3;Database=\(db);", job: ["read_query": read])
        let found = try c.lookup(["7", "8", "5000"])
        #expect(found.map(\.key).sorted() == ["7", "8"])
        #expect(found.first { $0.key == "8" }?.event.title == "Visit 8")
    }
}
