import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@Suite struct WindowTests {
    @Test func itemsLeavingTheWindowAreNotDeleted() throws {
        let h = try SyncHarness(job: "window = { past_days = 1, future_days = 10, chunk_days = 3 }")
        try h.fromStore.put(h.event("Soon", hours: 2), key: "A1")
        try h.fromStore.put(h.event("Later", hours: 24 * 8), key: "A2")
        try h.run()
        #expect(h.toStore.live.count == 2)
        h.now = h.now.addingTimeInterval(5 * 86_400)  // "Soon" is now 5 days in the past
        let out = try h.run()
        #expect(out.report.toCounts.deleted == 0)
        #expect(h.toStore.live.count == 2)
        #expect(try h.state.items(job: "j").count == 2)
    }

    @Test func absenceInsideAFullyReadChunkIsADeletion() throws {
        let h = try SyncHarness(job: "window = { past_days = 1, future_days = 10, chunk_days = 2 }")
        for i in 0..<6 { try h.fromStore.put(h.event("V\(i)", hours: Double(i * 30 + 1)), key: "A\(i)") }
        try h.run()
        try h.fromStore.remove("A3")
        let out = try h.run()
        #expect(out.report.toCounts.deleted == 1)
        #expect(SyncHarness.titles(h.toStore) == ["V0", "V1", "V2", "V4", "V5"])
    }

    @Test func aSourceReturningNothingIsBlockedUntilAllowed() throws {
        let h = try SyncHarness(job: "window = { past_days = 7, future_days = 60, chunk_days = 7 }")
        h.batchSize = 250
        for i in 0..<1_000 { try h.fromStore.put(h.event("V\(i)", hours: Double(i % 900 + 1)), key: "A\(i)") }
        try h.run()
        #expect(h.toStore.live.count == 1_000)
        for key in h.fromStore.live.keys { try h.fromStore.remove(key) }
        let blocked = try h.run(RunOptions(full: true))
        #expect(blocked.report.result == .blocked)
        #expect(blocked.report.errorCode == "sync.mass_delete_blocked")
        #expect(blocked.report.error?.contains("listed no items where 1000 were known") == true)
        let delta = try h.run()
        #expect(delta.report.result == .blocked)
        #expect(
            delta.report.error?.contains("1000 of 1000 items (more than 20 %) would be deleted on the to side") == true)
        #expect(h.toStore.live.count == 1_000)
        let allowed = try h.run(RunOptions(allowMassDelete: true))
        #expect(allowed.report.result == .success)
        #expect(allowed.report.toCounts.deleted == 1_000)
        #expect(h.toStore.live.isEmpty)
    }

    @Test func deletingMoreThanTheShareIsBlocked() throws {
        let h = try SyncHarness()
        for i in 0..<100 { try h.fromStore.put(h.event("V\(i)", hours: Double(i + 1)), key: "A\(i)") }
        try h.run()
        for i in 0..<30 { try h.fromStore.remove("A\(i)") }
        #expect(try h.run().report.result == .blocked)
        let guardRule = MassDeleteGuard(percent: 20)
        #expect(guardRule.check(side: .to, deletes: 20, known: 100, sourceListedNothing: false) == nil)
        #expect(guardRule.check(side: .to, deletes: 21, known: 100, sourceListedNothing: false) != nil)
    }

    @Test func deltaReadsUseTheCursorAndFullIgnoresIt() throws {
        let h = try SyncHarness()
        for i in 0..<3 { try h.fromStore.put(h.event("V\(i)", hours: Double(i + 1)), key: "A\(i)") }
        try h.run()
        #expect(try h.state.cursor(job: "j", side: .from) != nil)
        try h.fromStore.edit("A1") { $0.title = "V1 edited" }
        let delta = try h.run()
        #expect(delta.report.toCounts.updated == 1 && delta.report.toCounts.unchanged == 2)
        let full = try h.run(RunOptions(full: true))
        #expect(full.report.toCounts.unchanged == 3 && full.report.toCounts.changed == 0)
    }

    @Test func sinceRereadsChangesFromThatInstant() throws {
        let h = try SyncHarness()
        for i in 0..<3 { try h.fromStore.put(h.event("V\(i)", hours: Double(i + 1)), key: "A\(i)") }
        try h.run()
        let before = Date()
        try h.fromStore.edit("A2") { $0.title = "V2 edited" }
        // The stored cursor moves past the edit (as if a lost run had covered it).
        let window = h.job.window.window(around: h.now)
        let past = try ConnectorConformance.readAll(h.fromConnector, ReadRequest(window: window)).cursor
        try h.state.commit(job: "j", upserts: [], cursors: [.from: try #require(past)])
        #expect(try h.run().report.toCounts.updated == 0)
        let again = try h.run(RunOptions(since: before))
        #expect(again.report.toCounts.updated == 1)
        #expect(SyncHarness.titles(h.toStore) == ["V0", "V1", "V2 edited"])
    }
}
