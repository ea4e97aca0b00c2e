import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Start and end merge as one value (found by the model test, ModelSyncTests): a move on one side
/// and a new end on the other in the same run never give an event that ends before it starts.
@Suite struct TimeSpanMergeTests {
    func times(_ e: Event?) -> (Date, Date)? {
        guard case .instant(let s, _)? = e?.start, case .instant(let t, _)? = e?.end else { return nil }
        return (s, t)
    }

    @Test(arguments: ["from-wins", "to-wins"])
    func aMoveAndANewEndOnTheOtherSideKeepOneSidesTime(policy: String) throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                conflict = "\(policy)"
                apply_back = { create = false, update = true, delete = false }
                """)
        let key = try h.fromStore.put(h.event("Visit", hours: 5, minutes: 30))
        try h.run()
        let toKey = try #require(h.toStore.live.keys.first)
        let (start, end) = try #require(times(h.fromStore.live[key]?.event))
        // The database lengthens the visit; the calendar moves it three days later.
        try h.fromStore.edit(key) { $0.end = .instant(end.addingTimeInterval(3600), timeZone: "America/Chicago") }
        try h.toStore.edit(toKey) {
            $0.start = .instant(start.addingTimeInterval(3 * 86_400), timeZone: "America/Chicago")
            $0.end = .instant(end.addingTimeInterval(3 * 86_400), timeZone: "America/Chicago")
        }
        let out = try h.run()
        #expect(out.report.result == .success, "\(out.report.failures)")
        let fromTimes = try #require(times(h.fromStore.live[key]?.event))
        let toTimes = try #require(times(h.toStore.live[toKey]?.event))
        #expect(fromTimes == toTimes)
        #expect(fromTimes.0 < fromTimes.1)
        // The policy picks one side's time whole.
        if policy == "from-wins" {
            #expect(fromTimes == (start, end.addingTimeInterval(3600)))
        } else {
            #expect(fromTimes == (start.addingTimeInterval(3 * 86_400), end.addingTimeInterval(3 * 86_400)))
        }
        let again = try h.run()
        #expect(again.report.result == .success && again.report.toCounts.changed == 0)
        #expect(again.report.fromCounts.changed == 0)
    }
}
