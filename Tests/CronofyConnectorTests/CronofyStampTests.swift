import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// Cronofy keeps the origin stamp through updates: it is the `event_id` almanac gives an event on
/// create, and every update is an upsert on that `event_id`.
@Suite("cronofy origin stamp through updates", .serialized, .timeLimit(.minutes(10)))
struct CronofyStampTests {
    @Test func tenUpdatesAcrossIdleRunsKeepTheEventIDAndALostStateLinksEveryEvent() throws {
        let h = try SyncHarness.windowed(direction: "two-way")
        let c = try CronofyHarness()
        let r = try StampScenario.run(h, to: c.connector)
        #expect(r.updates.map(\.toCounts.updated) == Array(repeating: 1, count: StampScenario.rounds))

        let managed = c.server.cronofy!.managedEvents()
        #expect(Set(managed.keys) == Set(r.ids.values))
        for (id, e) in managed { #expect(r.ids[e["summary"] as? String ?? "?"] == id) }
        let moved = managed.values.first { $0["summary"] as? String == "Stamped 0" }
        #expect(moved?["description"] as? String == "Edit 10")

        #expect(r.relink.report.result == .success)
        #expect(r.relink.report.toCounts.created == 0)
        #expect(r.relink.report.fromCounts.created == 0)
        #expect(r.linked == 3)
        #expect(c.server.cronofy!.managedEvents().count == 3)
    }
}
