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
        let h = try SyncHarness.windowed()
        let (sink, sql) = try SQLiteSinkTests().setUp()
        let r = try StampScenario.run(h, to: sink)
        let window = TimeWindow(start: h.now.addingTimeInterval(-86_400), end: h.now.addingTimeInterval(30 * 86_400))
        #expect(r.mismatches(listed: try Fixture.readAll(sink, window).items) == [])
        let rows = try sql.rows("SELECT id, subject FROM appointments ORDER BY subject")
        #expect(rows.map { $0[0] ?? "" } == ["Stamped 0", "Stamped 1", "Stamped 2"].map { r.ids[$0] ?? "?" })
    }
}
