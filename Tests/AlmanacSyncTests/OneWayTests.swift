import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@Suite struct OneWayTests {
    @Test func createsUpdatesDeletesAndIsQuietWhenNothingChanged() throws {
        let h = try SyncHarness()
        let keys = try (0..<5).map { try h.fromStore.put(h.event("Visit \($0)", hours: Double($0 + 1)), key: "A\($0)") }
        let first = try h.run()
        #expect(first.report.result == .success)
        #expect(first.report.toCounts.created == 5)
        #expect(SyncHarness.titles(h.toStore) == (0..<5).map { "Visit \($0)" })
        let id = DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A0", generation: 0)
        #expect(h.toStore.live[id]?.event.title == "Visit 0")
        #expect(id.count == 64 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase })

        let quiet = try h.run()
        #expect(quiet.report.toCounts.changed == 0)
        #expect(quiet.report.toCounts.unchanged == 5)
        #expect(quiet.actions.isEmpty)

        try h.fromStore.edit(keys[1]) { $0.title = "Visit 1 (moved)" }
        try h.fromStore.remove(keys[2])
        let third = try h.run()
        #expect(third.report.toCounts.updated == 1)
        #expect(third.report.toCounts.deleted == 1)
        #expect(SyncHarness.titles(h.toStore) == ["Visit 0", "Visit 1 (moved)", "Visit 3", "Visit 4"])
        #expect(try h.state.runs(job: "j").count == 3)
    }

    @Test func dryRunPrintsThePlanAndWritesNothing() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Visit"), key: "A1")
        let dry = try h.run(RunOptions(dryRun: true))
        #expect(dry.actions.map(\.line) == ["create  to    A1  new in from"])
        #expect(dry.report.toCounts.created == 1)
        #expect(h.toStore.live.isEmpty)
        #expect(try h.state.items(job: "j").isEmpty)
        #expect(try h.state.runs(job: "j").isEmpty)
    }

    @Test func titleTemplateFillsMissingTitles() throws {
        let h = try SyncHarness(job: #"title_template = "Appt with {{participant_0_name}} ({{kind}})""#)
        var e = h.event(nil, participant: "Bob & Co")
        e.custom["kind"] = "cleaning"
        try h.fromStore.put(e, key: "A1")
        try h.fromStore.put(h.event("Has a title"), key: "A2")
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["Appt with Bob & Co (cleaning)", "Has a title"])
        #expect(try h.run().report.toCounts.changed == 0)
    }

    @Test func tentativeItemsOnlyWhenIncluded() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Maybe", status: .tentative), key: "A1")
        try h.fromStore.put(h.event("Sure"), key: "A2")
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["Sure"])
        try h.fromStore.edit("A2") { $0.status = .tentative }
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == [])

        let h2 = try SyncHarness(job: "include_tentative = true")
        try h2.fromStore.put(h2.event("Maybe", status: .tentative), key: "A1")
        try h2.run()
        #expect(SyncHarness.titles(h2.toStore) == ["Maybe"])
    }

    @Test func oneBadItemIsReportedAndTheRestApplies() throws {
        let h = try SyncHarness()
        var bad = h.event("Backwards")
        bad.end = .instant(h.now, timeZone: nil)
        bad.start = .instant(h.now.addingTimeInterval(3_600), timeZone: nil)
        try h.fromStore.put(bad, key: "BAD7")
        for i in 0..<3 { try h.fromStore.put(h.event("Good \(i)"), key: "G\(i)") }
        try h.fromStore.addProblem(ItemProblem(key: "row 9", field: "start_time", reason: "not a date: \"31/02\""))
        let out = try h.run()
        #expect(out.report.result == .partial)
        #expect(out.report.toCounts.created == 3)
        #expect(
            out.report.failures.map(\.description).sorted() == [
                "BAD7 (from): end 2030-03-08T00:00:00Z is before start 2030-03-08T01:00:00Z",
                "row 9 (from): start_time: not a date: \"31/02\"",
            ])
        #expect(SyncHarness.titles(h.toStore) == ["Good 0", "Good 1", "Good 2"])
    }

    @Test func oneWayRecreatesWhatWasDeletedOnTo() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Visit"), key: "A1")
        try h.run()
        let firstID = try #require(h.toStore.live.keys.first)
        try h.toStore.remove(firstID)
        let out = try h.run()
        #expect(out.report.toCounts.created == 1)
        let secondID = try #require(h.toStore.live.keys.first)
        #expect(secondID != firstID)
        #expect(
            secondID == DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A1", generation: 1))
    }

    @Test func stampedItemsAreLinkedNotDuplicated() throws {
        let h = try SyncHarness()
        let e = h.event("Visit")
        try h.fromStore.put(e, key: "A1")
        try h.fromStore.put(h.event("Other"), key: "A2")
        // A previous installation (or a crash before the state commit) already made them on `to`.
        var stamped = e
        stamped.origin = DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A1", generation: 0)
        let toKey = try h.toStore.put(stamped)
        var stale = h.event("Other (old)")
        stale.origin = DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A2", generation: 0)
        try h.toStore.put(stale)
        let before = h.toStore.record(toKey)!.version
        let out = try h.run()
        #expect(out.report.toCounts.created == 0)
        #expect(out.report.toCounts.updated == 1)
        #expect(h.toStore.record(toKey)!.version == before)
        #expect(SyncHarness.titles(h.toStore) == ["Other", "Visit"])
    }
}
