import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import CronofyConnector
import FakeCalendars
import Foundation
import Testing

/// The sync engine between a memory source and the cronofy connector on the fake Cronofy: an
/// event moved out of the window is neither a cancellation in a delta nor in a full listing, and
/// is left alone when its row changes.
@Suite("engine → cronofy: events moved out of the window", .serialized, .timeLimit(.minutes(10)))
struct CronofyAbsenceTests {
    func run(_ h: SyncHarness, _ c: CronofyHarness, _ options: RunOptions = RunOptions()) throws -> RunReport {
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector,
            to: c.connector, batchSize: 100)
        return SyncEngine(job: job, from: h.fromConnector, to: c.connector, store: h.state)
            .run(options: options, now: h.now).report
    }

    /// A two-way job whose row `A1` was synced by one run, then its event moved 60 days ahead on
    /// the calendar; returns the event's id and its new start.
    func movedOut() throws -> (SyncHarness, CronofyHarness, String, Date) {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                """)
        let c = try CronofyHarness()
        try h.fromStore.put(h.event("Class", hours: 30), key: "A1")
        #expect(try run(h, c).result == .success)
        let id = try #require(c.server.cronofy!.managedEvents().keys.first)
        let later = h.now.addingTimeInterval(60 * 86_400)
        c.server.cronofy!.edit(eventID: id) { fields in
            fields["start"] = later.formatted(.iso8601)
            fields["end"] = later.addingTimeInterval(1_800).formatted(.iso8601)
        }
        return (h, c, id, later)
    }

    @Test func anEventMovedOutOfTheWindowIsNotACancellation() throws {
        let (h, c, id, _) = try movedOut()
        let start = h.fromStore.live["A1"]?.event.start
        for options in [RunOptions(), RunOptions(full: true)] {
            let report = try run(h, c, options)
            #expect(report.result == .success, "\(report.failures)")
            #expect(report.fromCounts.cancelled == 0 && report.fromCounts.changed == 0)
            #expect(h.fromStore.live["A1"]?.writeBacks == [])
            #expect(h.fromStore.live["A1"]?.event.start == start)
            #expect(try h.state.items(job: "j").contains { $0.keyFrom == "A1" && $0.keyTo == id })
        }
        #expect(c.server.cronofy!.managedEvents().count == 1)
    }

    /// The delta reports the move (it reads changes anywhere in time): a later edit of the row
    /// does not pull the event back into the window.
    @Test func anEventMovedOutOfTheWindowIsLeftAloneWhenItsRowChanges() throws {
        let (h, c, id, later) = try movedOut()
        #expect(try run(h, c).result == .success)
        var row = try #require(h.fromStore.live["A1"]?.event)
        row.title = "Class, room changed"
        try h.fromStore.put(row, key: "A1")
        let report = try run(h, c)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.toCounts.changed == 0)
        let event = try #require(c.server.cronofy!.managedEvents()[id])
        #expect((event["start"] as? String).flatMap { try? Date($0, strategy: .iso8601) } == later)
    }

    /// The event is moved out of the window and deleted on the calendar, and its row deleted: the
    /// delta reports the deletion (it reads outside the window), so nothing is sent and nothing
    /// counted as deleted; the link is forgotten, as on Google.
    @Test func aRowAndItsEventDeletedOutsideTheWindowAreForgottenNotDeleted() throws {
        let (h, c, id, _) = try movedOut()
        #expect(try run(h, c).result == .success)
        c.server.cronofy!.userDelete(key: id)
        try h.fromStore.remove("A1")
        let report = try run(h, c)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.toCounts.deleted == 0 && report.toCounts.changed == 0)
        #expect(try h.state.items(job: "j").isEmpty)
    }
}
