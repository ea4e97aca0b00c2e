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
@Suite("engine → cronofy: a lost state is recovered", .serialized, .timeLimit(.minutes(10)))
struct CronofyLostStateTests {
    func run(_ h: SyncHarness, _ c: CronofyHarness, _ store: StateStore) throws -> RunReport {
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector,
            to: c.connector, batchSize: 100)
        return SyncEngine(job: job, from: h.fromConnector, to: c.connector, store: store)
            .run(options: RunOptions(), now: h.now).report
    }

    func twoWay(_ extra: String = "") throws -> (SyncHarness, CronofyHarness) {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                \(extra)
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

    /// The row's event was moved out of the window on the calendar, then the state is lost. The
    /// next run looks the row's create id up, finds the event where it now is and links it
    /// there, out of the window; it does not upsert it back over the user's move (`model.2`).
    @Test func aRowWhoseEventIsOutOfTheWindowIsLinkedNotCreated() throws {
        let (h, c) = try twoWay()
        try h.fromStore.put(h.event("Class", hours: 30), key: "A1")
        #expect(try run(h, c, h.state).result == .success)
        let id = try #require(c.server.cronofy!.managedEvents().keys.first)
        let later = h.now.addingTimeInterval(60 * 86_400)
        c.server.cronofy!.edit(eventID: id) { fields in
            fields["start"] = later.formatted(.iso8601)
            fields["end"] = later.addingTimeInterval(1_800).formatted(.iso8601)
        }
        let store = try lostState(h)
        for _ in 0..<2 {
            let report = try run(h, c, store)
            #expect(report.result == .success, "\(report.failures)")
            #expect(report.toCounts.changed == 0 && report.fromCounts.changed == 0)
        }
        let event = try #require(c.server.cronofy!.managedEvents()[id])
        #expect((event["start"] as? String).flatMap { try? Date($0, strategy: .iso8601) } == later)
        #expect(c.server.cronofy!.managedEvents().count == 1)
        let linked = try store.items(job: "j")
        #expect(linked.count == 1)
        #expect(linked.first?.keyFrom == "A1" && linked.first?.keyTo == id && linked.first?.away == [.to])
    }

    /// A calendar event was written back as a row, the row then moved out of the window, and the
    /// state is lost. The next run finds the row under the event's write-back id and links it;
    /// it does not insert the row again (`model.2`).
    @Test func anEventWhoseRowIsOutOfTheWindowIsLinkedNotWrittenBackAgain() throws {
        let (h, c) = try twoWay("apply_back = { create = true, update = true, delete = false }")
        let start = h.now.addingTimeInterval(30 * 3_600)
        let uid = c.server.cronofy!.seed(
            summary: "Booked online", start: start.formatted(.iso8601),
            end: start.addingTimeInterval(1_800).formatted(.iso8601))
        let first = try run(h, c, h.state)
        #expect(first.fromCounts.created == 1, "\(first.failures)")
        let rowKey = try #require(h.fromStore.live.keys.first)
        var row = try #require(h.fromStore.live[rowKey]?.event)
        row.start = .instant(h.now.addingTimeInterval(60 * 86_400), timeZone: nil)
        row.end = .instant(h.now.addingTimeInterval(60 * 86_400 + 1_800), timeZone: nil)
        try h.fromStore.put(row, key: rowKey)
        #expect(try run(h, c, h.state).result == .success)
        let store = try lostState(h)
        for _ in 0..<2 {
            let report = try run(h, c, store)
            #expect(report.result == .success, "\(report.failures)")
            #expect(report.toCounts.changed == 0 && report.fromCounts.changed == 0)
        }
        #expect(h.fromStore.live.count == 1)
        #expect(h.fromStore.live[rowKey]?.event.start == row.start)
        let linked = try store.items(job: "j")
        #expect(linked.count == 1)
        #expect(linked.first?.keyFrom == rowKey && linked.first?.keyTo == uid && linked.first?.away == [.from])
    }
}
