import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Versions are recorded whenever they change, and a write that meets a newer version is planned
/// again in the same run.
@Suite struct VersionTests {
    /// The state row of the item whose `from` key is `key`.
    func state(_ h: SyncHarness, _ key: String) throws -> ItemState {
        try #require(try h.state.items(job: "j").first { $0.keyFrom == key })
    }

    /// Makes the stored `to` version of `key` stale, as a run that missed an edit would leave it.
    func staleVersion(_ h: SyncHarness, _ key: String) throws {
        var s = try state(h, key)
        s.versionTo = "v0"
        try h.state.commit(job: "j", upserts: [s])
    }

    /// A run whose `to` reads leave out `key` (a delta that does not carry its last change).
    func runHiding(_ h: SyncHarness, _ key: String) throws -> SyncOutcome {
        let from = h.fromConnector
        let to = CountingLookups(h.toConnector, hiding: [key])
        let job = try SyncJob(
            profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: from, to: to, batchSize: 100)
        return SyncEngine(job: job, from: from, to: to, store: h.state).run(options: RunOptions(), now: h.now)
    }

    @Test func aVersionChangedWithoutContentIsRecorded() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Checkup"), key: "A1")
        try h.run()
        let key = try #require(h.toStore.live.keys.first)
        try h.toStore.edit(key) { _ in }  // a new version, the same content (an unsynced field)
        let out = try h.run()
        #expect(out.report.toCounts.unchanged == 1 && out.report.toCounts.changed == 0)
        #expect(try state(h, "A1").versionTo == "v\(h.toStore.live[key]!.version)")

        // The delete that follows carries the current version and succeeds.
        try h.fromStore.remove("A1")
        let deleted = try h.run()
        #expect(deleted.report.result == .success, "\(deleted.report.failures)")
        #expect(deleted.report.toCounts.deleted == 1)
        #expect(h.toStore.live.isEmpty)
    }

    @Test func aFullRunRecordsVersionsOnTheUnchangedPath() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Checkup"), key: "A1")
        try h.run()
        let key = try #require(h.toStore.live.keys.first)
        try h.toStore.edit(key) { _ in }
        let out = try h.run(RunOptions(full: true))
        #expect(out.report.toCounts.unchanged == 1 && out.report.toCounts.changed == 0)
        #expect(try state(h, "A1").versionTo == "v\(h.toStore.live[key]!.version)")
    }

    @Test func aStaleVersionOnDeleteIsRefetchedAndDeletedInTheSameRun() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Checkup"), key: "A1")
        try h.run()
        let key = try #require(h.toStore.live.keys.first)
        try staleVersion(h, "A1")
        try h.fromStore.remove("A1")
        let out = try runHiding(h, key)
        #expect(out.report.result == .success, "\(out.report.failures)")
        #expect(out.report.toCounts.deleted == 1 && out.report.toCounts.failed == 0)
        #expect(h.toStore.live.isEmpty)
        #expect(try h.state.items(job: "j").isEmpty)
    }

    @Test func aStaleVersionOnUpdateIsMergedWithTheCurrentItemInTheSameRun() throws {
        let h = try SyncHarness(job: "direction = \"two-way\"")
        try h.fromStore.put(h.event("Checkup"), key: "A1")
        try h.run()
        let key = try #require(h.toStore.live.keys.first)
        // Both sides change different fields; the run sees `to` as its stored (stale) base.
        try staleVersion(h, "A1")
        try h.toStore.edit(key) { $0.location = "Room 4" }
        try h.fromStore.edit("A1") { $0.title = "Checkup (long)" }
        // A delta that does not carry the `to` edit: the update meets the newer version.
        let out = try runHiding(h, key)
        #expect(out.report.result == .success, "\(out.report.failures)")
        #expect(out.report.toCounts.updated == 1 && out.report.toCounts.failed == 0)
        #expect(out.report.fromCounts.updated == 1)
        #expect(h.toStore.live[key]?.event.title == "Checkup (long)")
        #expect(h.toStore.live[key]?.event.location == "Room 4")
        #expect(h.fromStore.live["A1"]?.event.location == "Room 4")
        let next = try h.run()
        #expect(next.report.toCounts.changed == 0 && next.report.fromCounts.changed == 0)
    }
}
