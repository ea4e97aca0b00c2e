import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import CronofyConnector
import FakeCalendars
import Foundation
import Testing

/// The sync engine between a memory source and the cronofy connector on the fake Cronofy: an
/// event moved out of the window is neither a cancellation in a delta nor in a full listing.
@Suite("engine → cronofy: events moved out of the window", .serialized, .timeLimit(.minutes(5)))
struct CronofyAbsenceTests {
    @Test func anEventMovedOutOfTheWindowIsNotACancellation() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                """)
        let c = try CronofyHarness()
        try h.fromStore.put(h.event("Class", hours: 30), key: "A1")
        func run(_ options: RunOptions = RunOptions()) throws -> RunReport {
            let job = try SyncJob(
                profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector,
                to: c.connector, batchSize: 100)
            return SyncEngine(job: job, from: h.fromConnector, to: c.connector, store: h.state)
                .run(options: options, now: h.now).report
        }
        #expect(try run().result == .success)
        let id = try #require(c.server.cronofy!.managedEvents().keys.first)
        let later = h.now.addingTimeInterval(60 * 86_400)
        c.server.cronofy!.edit(eventID: id) { fields in
            fields["start"] = later.formatted(.iso8601)
            fields["end"] = later.addingTimeInterval(1_800).formatted(.iso8601)
        }
        let start = h.fromStore.live["A1"]?.event.start
        for options in [RunOptions(), RunOptions(full: true)] {
            let report = try run(options)
            #expect(report.result == .success, "\(report.failures)")
            #expect(report.fromCounts.cancelled == 0 && report.fromCounts.changed == 0)
            #expect(h.fromStore.live["A1"]?.writeBacks == [])
            #expect(h.fromStore.live["A1"]?.event.start == start)
            #expect(try h.state.items(job: "j").contains { $0.keyFrom == "A1" && $0.keyTo == id })
        }
        #expect(c.server.cronofy!.managedEvents().count == 1)
    }
}
