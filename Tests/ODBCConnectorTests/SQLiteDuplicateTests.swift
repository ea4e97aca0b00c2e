import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import ODBCConnector

/// A read listing the same external_id twice keeps the first row (`DuplicateKey`), through the
/// engine as well as in the listing.
@Suite struct SQLiteDuplicateTests {
    static let problem =
        "is the external_id of an earlier row already: the first is kept and synced, "
        + "this one is skipped (an external_id must be unique in what a job reads)"

    @Test func theEngineSyncsTheFirstRowAndReportsTheLaterOnes() throws {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try sql.exec(
            "CREATE TABLE rows (id TEXT, title TEXT, note TEXT, starts TEXT)",
            "INSERT INTO rows VALUES ('d1', 'first', 'kept', '2026-03-02 09:00')",
            "INSERT INTO rows VALUES ('d2', 'second', NULL, '2026-03-02 10:00')",
            "INSERT INTO rows VALUES ('d1', 'again', 'dropped', '2026-03-02 11:00')",
            "INSERT INTO rows VALUES ('d3', 'third', NULL, '2026-03-03 09:00')",
            "INSERT INTO rows VALUES ('d2', 'other', NULL, '2026-03-03 10:00')",
            "INSERT INTO rows VALUES ('d4', 'fourth', NULL, '2026-03-03 12:00')")
        let query = Fixture.windowQuery(
            "SELECT id AS external_id, title, note AS content, starts AS start_time FROM rows "
                + "WHERE starts >= :window_start AND starts < :window_end ORDER BY rowid", sqliteDates: true)
        let c = try Fixture.connector("Driver=SQLite3;Database=\(path);", job: ["read_query": query])
        let r = try DuplicateScenario.run(c, now: Fixture.date("2026-03-01T12:00:00Z"))
        let failures = [
            "d1: external_id: row 3: \"d1\" \(Self.problem)", "d2: external_id: row 5: \"d2\" \(Self.problem)",
        ]
        #expect(r.mismatches(failures: failures) == [])
        #expect(r.synced["first"]?.description == "kept")
    }
}
