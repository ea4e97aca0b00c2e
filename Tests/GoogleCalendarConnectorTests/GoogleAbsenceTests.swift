import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

/// The sync engine between a memory source and the google connector on the fake Google: events
/// moved out of the window, stale etags, lost state and lost answers.
@Suite("engine → google: absence, versions, lost state", .serialized, .timeLimit(.minutes(10)))
struct GoogleAbsenceTests {
    static let window = "window = { past_days = 7, future_days = 30, chunk_days = 7 }"

    func run(_ h: SyncHarness, _ google: GoogleConnector, _ options: RunOptions = RunOptions()) throws -> RunReport {
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector, to: google,
            batchSize: 100)
        return SyncEngine(job: job, from: h.fromConnector, to: google, store: h.state)
            .run(options: options, now: h.now).report
    }

    /// Forgets every item and cursor of the job, as a lost state file does.
    func loseState(_ h: SyncHarness) throws {
        try h.state.commit(job: "j", upserts: [], removals: try h.state.items(job: "j").compactMap(\.id))
        try h.state.dropCursors(job: "j")
    }

    static func rfc3339(_ d: Date) -> String { d.formatted(.iso8601) }

    /// A job (`job`'s lines) whose row `A1` was synced to the fake Google by one run.
    func synced(_ job: String = window) throws -> (SyncHarness, GoogleHarness) {
        let h = try SyncHarness(job: job)
        let g = try GoogleHarness()
        try h.fromStore.put(h.event("Checkup", hours: 30), key: "A1")
        #expect(try run(h, g.connector).result == .success)
        return (h, g)
    }

    /// Removes the row `A1` and expects the next run to delete its event, in that run.
    func expectDeleted(_ h: SyncHarness, _ g: GoogleHarness) throws {
        try h.fromStore.remove("A1")
        let report = try run(h, g.connector)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.toCounts.deleted == 1)
        #expect(g.server.google!.events().isEmpty)
    }

    @Test func anEventMovedOutOfTheWindowIsNotACancellation() throws {
        let (h, g) = try synced(Self.window + "\ndirection = \"two-way\"")
        let id = try #require(g.server.google!.events().first?["id"] as? String)
        let later = h.now.addingTimeInterval(60 * 86_400)
        g.server.google!.edit(id) { e in
            e["start"] = ["dateTime": Self.rfc3339(later)]
            e["end"] = ["dateTime": Self.rfc3339(later.addingTimeInterval(1_800))]
        }
        let start = h.fromStore.live["A1"]?.event.start
        let report = try run(h, g.connector, RunOptions(full: true))
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.fromCounts.cancelled == 0 && report.fromCounts.changed == 0)
        #expect(h.fromStore.live["A1"]?.writeBacks == [])
        #expect(h.fromStore.live["A1"]?.event.start == start)
        #expect(g.server.google!.events().count == 1)
        #expect(try h.state.items(job: "j").contains { $0.keyFrom == "A1" && $0.keyTo == id })
    }

    /// Moves the event `id` 60 days ahead, out of the window.
    func moveOut(_ h: SyncHarness, _ g: GoogleHarness, _ id: String) {
        let later = h.now.addingTimeInterval(60 * 86_400)
        g.server.google!.edit(id) { e in
            e["start"] = ["dateTime": Self.rfc3339(later)]
            e["end"] = ["dateTime": Self.rfc3339(later.addingTimeInterval(1_800))]
        }
    }

    /// A sync token reports the move too: the row is left alone as after a full listing.
    @Test func anEventMovedOutOfTheWindowIsLeftAloneByADelta() throws {
        let (h, g) = try synced(Self.window + "\ndirection = \"two-way\"")
        #expect(try run(h, g.connector).result == .success)  // stores the sync token
        let id = try #require(g.server.google!.events().first?["id"] as? String)
        moveOut(h, g, id)
        let start = h.fromStore.live["A1"]?.event.start
        let report = try run(h, g.connector)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.fromCounts.changed == 0 && report.fromCounts.cancelled == 0)
        #expect(h.fromStore.live["A1"]?.event.start == start)
        #expect(try h.state.items(job: "j").contains { $0.keyFrom == "A1" && $0.keyTo == id })
        let full = try run(h, g.connector, RunOptions(full: true))
        #expect(full.result == .success && full.fromCounts.changed == 0 && full.toCounts.changed == 0)
    }

    /// The event is deleted on the calendar while its row is out of the window: once the row is
    /// back, the deletion is honoured as one from the calendar (a cancellation written back, the
    /// row deleted under `apply_back.delete`), though the sync token reported it only once.
    @Test(arguments: [false, true])
    func anEventDeletedWhileItsRowWasAwayIsACancellationWhenTheRowIsBack(deleteBack: Bool) throws {
        let applyBack = "apply_back = { create = true, update = true, delete = \(deleteBack) }"
        let (h, g) = try synced(Self.window + "\ndirection = \"two-way\"\n" + applyBack)
        #expect(try run(h, g.connector).result == .success)  // stores the sync token
        let id = try #require(g.server.google!.events().first?["id"] as? String)
        let row = try #require(h.fromStore.live["A1"]?.event)
        try h.fromStore.put(h.event("Checkup", hours: 60 * 24), key: "A1")
        #expect(try run(h, g.connector).result == .success)
        #expect(g.server.google!.events().count == 1)
        g.server.google!.userDelete(id)
        let away = try run(h, g.connector)
        #expect(away.result == .success, "\(away.failures)")
        #expect(away.fromCounts.changed == 0 && away.fromCounts.cancelled == 0, "\(away.fromCounts)")
        try h.fromStore.put(row, key: "A1")
        let back = try run(h, g.connector)
        #expect(back.result == .success, "\(back.failures)")
        #expect(back.fromCounts.cancelled == 1)
        #expect(back.fromCounts.deleted == (deleteBack ? 1 : 0))
        #expect(h.fromStore.live["A1"] == nil || h.fromStore.live["A1"]?.writeBacks == ["cancelled"])
        #expect((h.fromStore.live["A1"] == nil) == deleteBack)
        #expect(g.server.google!.events().isEmpty)
        let idle = try run(h, g.connector)
        #expect(idle.result == .success && idle.toCounts.changed == 0 && idle.fromCounts.changed == 0)
        #expect(idle.fromCounts.cancelled == 0)
    }

    /// The event is renamed on the calendar while its row is out of the window: once the row is
    /// back, the rename is merged (the sync token reported it only while the row was away).
    @Test func anEditMadeWhileTheRowWasAwayIsMergedWhenTheRowIsBack() throws {
        let (h, g) = try synced(Self.window + "\ndirection = \"two-way\"")
        #expect(try run(h, g.connector).result == .success)  // stores the sync token
        let id = try #require(g.server.google!.events().first?["id"] as? String)
        try h.fromStore.put(h.event("Checkup", hours: 60 * 24), key: "A1")
        #expect(try run(h, g.connector).result == .success)
        g.server.google!.edit(id) { $0["summary"] = "Checkup, renamed" }
        #expect(try run(h, g.connector).fromCounts.changed == 0)
        try h.fromStore.put(h.event("Checkup", hours: 40), key: "A1")
        let report = try run(h, g.connector)
        #expect(report.result == .success, "\(report.failures)")
        #expect(h.fromStore.live["A1"]?.event.title == "Checkup, renamed")
        #expect(g.server.google!.events().first?["summary"] as? String == "Checkup, renamed")
        let idle = try run(h, g.connector)
        #expect(idle.result == .success && idle.toCounts.changed == 0 && idle.fromCounts.changed == 0)
    }

    @Test func anUnsyncedEditDoesNotBlockALaterDelete() throws {
        let (h, g) = try synced()
        #expect(try run(h, g.connector).result == .success)  // stores the sync token
        let id = try #require(g.server.google!.events().first?["id"] as? String)
        g.server.google!.edit(id) { $0["colorId"] = "5" }  // a field almanac does not sync
        let idle = try run(h, g.connector)
        #expect(idle.result == .success && idle.toCounts.changed == 0)
        try expectDeleted(h, g)
    }

    @Test func aDeleteMeetingANewerEtagIsDoneInTheSameRun() throws {
        let (h, g) = try synced()
        #expect(try run(h, g.connector).result == .success)
        // Edited after the run's read (the state keeps the old etag): the delete gets 412.
        var state = try #require(try h.state.items(job: "j").first)
        state.versionTo = "\"stale\""
        try h.state.commit(job: "j", upserts: [state])
        try expectDeleted(h, g)
    }

    @Test func afterLostStateAnEventDeletedOnTheCalendarIsRecreatedOnce() throws {
        let (h, g) = try synced()
        let firstID = try #require(g.server.google!.events().first?["id"] as? String)
        g.server.google!.userDelete(firstID)
        try loseState(h)
        let report = try run(h, g.connector)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.toCounts.created == 1)
        let live = g.server.google!.events()
        #expect(live.count == 1 && (live.first?["id"] as? String) != firstID)
        #expect(try h.state.items(job: "j").first?.generation == 1)
        let again = try run(h, g.connector)
        #expect(again.result == .success && again.toCounts.changed == 0)
        #expect(g.server.google!.events().count == 1)
    }

    @Test func aCreateWhoseAnswerWasLostIsAdoptedAndCounted() throws {
        let h = try SyncHarness(job: Self.window)
        let g = try GoogleHarness()
        try h.fromStore.put(h.event("Checkup", hours: 30), key: "A1")
        try h.fromStore.put(h.event("Cleaning", hours: 40), key: "A2")
        // The batch of creates is applied, then the connection drops: the retry meets 409s.
        g.server.injectOnce(.reset, pathPrefix: "/batch")
        let report = try run(h, g.connector)
        #expect(report.result == .success, "\(report.failures)")
        #expect(report.failures.isEmpty)
        #expect(report.toCounts.created == 2 && report.toCounts.failed == 0)
        #expect(g.server.log.all.contains { $0.fault == .reset })
        #expect(g.server.google!.events().count == 2)
        #expect(try h.state.items(job: "j").allSatisfy { $0.keyTo != nil })
        let again = try run(h, g.connector)
        #expect(again.result == .success && again.toCounts.changed == 0)
    }
}
