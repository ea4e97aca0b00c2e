import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import ODBCConnector

/// An ODBC sink keeps the origin stamp through updates: the stamp is the `:external_id` almanac
/// binds on insert, and the update statement finds the row by that same id.
@Suite struct SQLiteStampTests {
    @Test func tenUpdatesAcrossIdleRunsKeepTheIDAndALostStateLinksEveryRow() throws {
        let h = try SyncHarness(job: """
            direction = "one-way"
            window = { past_days = 7, future_days = 30, chunk_days = 7 }
            """)
        let (sink, sql) = try SQLiteSinkTests().setUp()
        let r = try StampScenario.run(h, to: sink)
        #expect(r.updates.map(\.toCounts.updated) == Array(repeating: 1, count: StampScenario.rounds))

        let rows = try sql.rows("SELECT id, subject, note FROM appointments ORDER BY subject")
        #expect(rows.count == 3)
        for row in rows { #expect(r.ids[row[1] ?? "?"] == row[0]) }
        #expect(rows.first?[2] == "Edit 10")

        #expect(r.relink.report.result == .success)
        #expect(r.relink.report.toCounts.created == 0)
        #expect(r.linked == 3)
        #expect(try sql.rows("SELECT count(*) FROM appointments").first?[0] == "3")
    }
}
