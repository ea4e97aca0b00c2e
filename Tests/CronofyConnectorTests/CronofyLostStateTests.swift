import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import CronofyConnector
import FakeCalendars
import Foundation
import Testing

/// The sync engine between a memory source and the cronofy connector on the fake Cronofy, after
/// the state file was lost: what almanac made before is linked again by its create id, never
/// made a second time.
@Suite("engine → cronofy: a lost state is recovered", .serialized, .timeLimit(.minutes(5)))
struct CronofyLostStateTests {
    func run(_ h: SyncHarness, _ c: CronofyHarness, _ store: StateStore) throws -> RunReport {
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector,
            to: c.connector, batchSize: 100)
        return SyncEngine(job: job, from: h.fromConnector, to: c.connector, store: store)
            .run(options: RunOptions(), now: h.now).report
    }

    func twoWay() throws -> (SyncHarness, CronofyHarness) {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                """)
        return (h, try CronofyHarness())
    }

    /// A fresh state file in the harness's directory (the old one is left as it was).
    func lostState(_ h: SyncHarness) throws -> StateStore {
        try StateStore(path: h.directory.appendingPathComponent("lost-\(UUID().uuidString).sqlite").path)
    }

    /// The row's event was deleted on the calendar, and re-created under the next generation's
    /// id once the row changed; the state is then lost. The next run links the row to that
    /// event; it does not create one again under the first id (found by the model test, seeds
    /// 190 and 255: Cronofy's upsert revived the deleted event beside the live one).
    @Test func anEventReCreatedUnderTheNextGenerationIsLinkedAgain() throws {
        let (h, c) = try twoWay()
        try h.fromStore.put(h.event("Class", hours: 30), key: "A1")
        #expect(try run(h, c, h.state).result == .success)
        let first = try #require(c.server.cronofy!.managedEvents().keys.first)
        c.server.cronofy!.userDelete(eventID: first)
        #expect(try run(h, c, h.state).result == .success)
        var row = try #require(h.fromStore.live["A1"]?.event)
        row.title = "Class, moved rooms"
        try h.fromStore.put(row, key: "A1")
        let recreated = try run(h, c, h.state)
        #expect(recreated.toCounts.created == 1, "\(recreated.failures)")
        let second = try #require(c.server.cronofy!.managedEvents().keys.first)
        #expect(second != first)

        let store = try lostState(h)
        let report = try run(h, c, store)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.toCounts.created == 0 && report.toCounts.changed == 0)
        #expect(Array(c.server.cronofy!.managedEvents().keys) == [second])
        let linked = try store.items(job: "j")
        #expect(linked.count == 1)
        #expect(linked.first?.keyFrom == "A1" && linked.first?.keyTo == second && linked.first?.generation == 1)
    }
}
