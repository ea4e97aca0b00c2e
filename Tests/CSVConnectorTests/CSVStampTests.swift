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
        let h = try SyncHarness(job: """
            direction = "one-way"
            window = { past_days = 7, future_days = 30, chunk_days = 7 }
            """)
        let ctx = fileConnectorContext(["path": .string("out.csv")], side: .to, dir: s.url)
        let sink = try CSVModule.make(ctx)
        let r = try StampScenario.run(h, to: sink)
        #expect(r.updates.map(\.toCounts.updated) == Array(repeating: 1, count: StampScenario.rounds))

        let (page, _) = try readAll(sink)
        #expect(Set(page.items.map(\.key)) == Set(r.ids.values))
        for item in page.items { #expect(r.ids[item.event.title ?? "?"] == item.key) }
        #expect(page.items.first { $0.event.title == "Stamped 0" }?.event.description == "Edit 10")

        #expect(r.relink.report.result == .success)
        #expect(r.relink.report.toCounts.created == 0)
        #expect(r.linked == 3)
        #expect(try readAll(sink).0.items.count == 3)
    }
}
