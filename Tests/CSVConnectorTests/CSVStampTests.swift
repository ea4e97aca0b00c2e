import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// A CSV sink keeps the origin stamp through updates: the stamp is the `external_id` almanac
/// gives a row on create, and an update rewrites the row under that same id.
@Suite struct CSVStampTests {
    @Test func tenUpdatesAcrossIdleRunsKeepTheIDAndALostStateLinksEveryRow() throws {
        let s = Scratch(label: "csv-stamp")
        defer { s.cleanup() }
        let h = try SyncHarness.windowed()
        let ctx = fileConnectorContext(["path": .string("out.csv")], side: .to, dir: s.url)
        let sink = try CSVModule.make(ctx)
        let r = try StampScenario.run(h, to: sink)
        #expect(r.mismatches(listed: try readAll(sink).0.items) == [])
    }
}
