import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

/// A Google delta (sync token) lists changes anywhere in time. An event made in the calendar
/// outside the job's window is not the job's: it is not written back, on a delta read as on a
/// full one (found by the model test, ModelSyncTests).
@Suite("google delta reads keep to the window", .serialized, .timeLimit(.minutes(10)))
struct GoogleWindowTests {
    @Test func anEventMadeOutsideTheWindowIsNotWrittenBack() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                apply_back = { create = true, update = true, delete = false }
                """)
        let g = try GoogleHarness()
        defer { g.server.stop() }
        func run() throws -> RunReport {
            let job = try SyncJob(
                profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone,
                from: h.fromConnector, to: g.connector)
            return SyncEngine(job: job, from: h.fromConnector, to: g.connector, store: h.state)
                .run(options: RunOptions(), now: h.now).report
        }
        _ = try h.fromStore.put(h.event("Checkup", hours: 30))
        #expect(try run().toCounts.created == 1)  // the first run stores the sync token
        func time(_ days: Double) -> [String: Any] {
            ["dateTime": h.now.addingTimeInterval(days * 86_400).formatted(.iso8601), "timeZone": "America/Chicago"]
        }
        g.server.google!.seed(["summary": "Far ahead", "start": time(45), "end": time(45.1)])
        g.server.google!.seed(["summary": "Long ago", "start": time(-20), "end": time(-19.9)])
        g.server.google!.seed(["summary": "Inside", "start": time(3), "end": time(3.1)])

        let delta = try run()
        #expect(delta.result == .success)
        #expect(g.server.log.all.last { $0.target.contains("/events?") }?.target.contains("syncToken=") == true)
        #expect(delta.fromCounts.created == 1)
        #expect(SyncHarness.titles(h.fromStore) == ["Checkup", "Inside"])

        let full = try SyncEngine(
            job: SyncJob(
                profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone,
                from: h.fromConnector, to: g.connector),
            from: h.fromConnector, to: g.connector, store: h.state
        ).run(options: RunOptions(full: true), now: h.now).report
        #expect(full.fromCounts.changed == 0 && full.toCounts.changed == 0)
        #expect(SyncHarness.titles(h.fromStore) == ["Checkup", "Inside"])
    }
}
