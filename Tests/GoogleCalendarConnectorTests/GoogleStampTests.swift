import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// Google updates keep the origin stamp (`extendedProperties.private.almanacOrigin`): an update
/// after an idle run (the event not in the delta listing) replaces the whole event with PUT.
@Suite("google origin stamp through updates", .serialized, .timeLimit(.minutes(10)))
struct GoogleStampTests {
    @Test(arguments: ["one-way", "two-way"])
    func tenUpdatesAcrossIdleRunsKeepTheStampAndALostStateLinksEveryEvent(direction: String) throws {
        let h = try SyncHarness.windowed(direction: direction)
        let g = try GoogleHarness()
        let r = try StampScenario.run(h, to: g.connector)
        #expect(r.updates.map(\.result) == Array(repeating: .success, count: StampScenario.rounds))
        #expect(r.updates.map(\.toCounts.updated) == Array(repeating: 1, count: StampScenario.rounds))

        let live = g.server.google!.events()
        #expect(live.count == 3)
        for e in live {
            let title = e["summary"] as? String ?? "?"
            let stamp = ((e["extendedProperties"] as? [String: Any])?["private"] as? [String: String])?["almanacOrigin"]
            #expect(stamp == r.ids[title], "\(title) carries stamp \(stamp ?? "none")")
            #expect(e["id"] as? String == r.ids[title])
        }
        #expect(live.first { $0["summary"] as? String == "Stamped 0" }?["description"] as? String == "Edit 10")

        #expect(r.relink.report.result == .success)
        #expect(r.relink.report.toCounts.created == 0)
        #expect(r.relink.report.fromCounts.created == 0)
        #expect(r.linked == 3)
        #expect(g.server.google!.events().count == 3)
    }
}
