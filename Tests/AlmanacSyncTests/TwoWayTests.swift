import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@Suite struct TwoWayTests {
    static let twoWay = """
        direction = "two-way"
        apply_back = { create = true, update = true, delete = false }
        """

    @Test func calendarEditsAndNewItemsComeBack() throws {
        let h = try SyncHarness(
            job: Self.twoWay,
            fromOptions: {
                var o = MemoryStore.Options()
                o.assignsKeys = true
                return o
            }())
        let a = try h.fromStore.put(h.event("Visit"))
        try h.run()
        let toKey = try #require(h.toStore.live.keys.first)
        try h.toStore.edit(toKey) { $0.location = "Room 2" }
        try h.toStore.put(h.event("Booked online", hours: 5))
        let out = try h.run()
        #expect(out.report.fromCounts.updated == 1)
        #expect(out.report.fromCounts.created == 1)
        #expect(h.fromStore.live[a]?.event.location == "Room 2")
        #expect(SyncHarness.titles(h.fromStore) == ["Booked online", "Visit"])
        // The echo of our own writes is not a change.
        let quiet = try h.run()
        #expect(quiet.report.toCounts.changed == 0 && quiet.report.fromCounts.changed == 0)
        #expect(quiet.actions.isEmpty)
    }

    @Test func acceptanceConfirmsDeclineAndDeletionCancel() throws {
        let h = try SyncHarness(job: Self.twoWay)
        for k in ["A1", "A2", "A3"] { try h.fromStore.put(h.event("Visit \(k)"), key: k) }
        try h.run()
        func toKey(_ k: String) -> String {
            DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: k, generation: 0)
        }
        try h.toStore.edit(toKey("A1")) { $0.participants[0].response = .accepted }
        try h.toStore.edit(toKey("A2")) { $0.participants[0].response = .declined }
        try h.toStore.remove(toKey("A3"))
        let out = try h.run()
        #expect(out.report.fromCounts.confirmed == 1)
        #expect(out.report.fromCounts.cancelled == 2)
        #expect(h.fromStore.record("A1")?.writeBacks == ["confirmed"])
        #expect(h.fromStore.record("A2")?.writeBacks == ["cancelled"])
        #expect(h.fromStore.record("A3")?.writeBacks == ["cancelled"])
        // Sent once: nothing more on the next run, and a deleted item is not re-created.
        let again = try h.run()
        #expect(again.report.fromCounts.changed == 0 && again.report.toCounts.changed == 0)
        #expect(h.fromStore.record("A1")?.writeBacks == ["confirmed"])
        #expect(h.toStore.live.count == 2)
    }

    /// A SQL source usually has no response column: the projection then has no responses, yet an
    /// acceptance on the calendar must still be sent home once (ARCHITECTURE.md §5).
    @Test func acceptanceIsSeenWhenTheSourceHasNoResponses() throws {
        let h = try SyncHarness(
            job: Self.twoWay,
            fromOptions: {
                var o = MemoryStore.Options()
                o.fields.remove(.responses)
                return o
            }())
        for k in ["A1", "A2", "A3"] { try h.fromStore.put(h.event("Visit \(k)"), key: k) }
        try h.run()
        func toKey(_ k: String) -> String {
            DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: k, generation: 0)
        }
        // The first run's echo is quiet: the responses recorded at create match what `to` holds.
        let quiet = try h.run()
        #expect(quiet.actions.isEmpty)
        try h.toStore.edit(toKey("A1")) { $0.participants[0].response = .accepted }
        try h.toStore.edit(toKey("A2")) { $0.participants[0].response = .declined }
        let out = try h.run()
        #expect(out.report.fromCounts.confirmed == 1)
        #expect(out.report.fromCounts.cancelled == 1)
        #expect(out.report.toCounts.updated == 0 && out.report.fromCounts.updated == 0)
        #expect(h.fromStore.record("A1")?.writeBacks == ["confirmed"])
        #expect(h.fromStore.record("A2")?.writeBacks == ["cancelled"])
        #expect(h.fromStore.record("A3")?.writeBacks == [])
        let again = try h.run()
        #expect(again.actions.isEmpty)
        #expect(again.report.toCounts.unchanged == 3)
        #expect(h.fromStore.record("A1")?.writeBacks == ["confirmed"])
    }

    @Test(arguments: [
        (ConflictPolicy.fromWins, "", "from title", "to room"),
        (.toWins, "", "to title", "to room"),
        (.fromWins, #"to_owns = ["title"]"#, "to title", "to room"),
    ])
    func conflictsFollowThePolicyFieldByField(policy: ConflictPolicy, extra: String, title: String, room: String) throws
    {
        let h = try SyncHarness(job: Self.twoWay + "\nconflict = \"\(policy.rawValue)\"\n" + extra)
        try h.fromStore.put(h.event("Visit"), key: "A1")
        try h.run()
        let toKey = try #require(h.toStore.live.keys.first)
        try h.fromStore.edit("A1") { $0.title = "from title" }
        try h.toStore.edit(toKey) {
            $0.title = "to title"
            $0.location = "to room"
        }
        let out = try h.run()
        #expect(out.report.toCounts.conflicts + out.report.fromCounts.conflicts >= (extra.isEmpty ? 1 : 0))
        for store in [h.fromStore, h.toStore] {
            let e = try #require(store.live.values.first?.event)
            #expect(e.title == title)
            #expect(e.location == room)
        }
        #expect(try h.run().actions.isEmpty)
    }

    @Test func newestWinsUsesTheUpdatedStamps() throws {
        let h = try SyncHarness(job: Self.twoWay + "\nconflict = \"newest-wins\"")
        try h.fromStore.put(h.event("Visit"), key: "A1")
        try h.run()
        let toKey = try #require(h.toStore.live.keys.first)
        try h.fromStore.edit("A1") {
            $0.title = "older"
            $0.updated = Date(timeIntervalSince1970: 1_000)
        }
        try h.toStore.edit(toKey) {
            $0.title = "newer"
            $0.updated = Date(timeIntervalSince1970: 2_000)
        }
        try h.run()
        #expect(h.fromStore.live["A1"]?.event.title == "newer")
        #expect(h.toStore.live[toKey]?.event.title == "newer")
    }

    @Test func applyBackDeleteRemovesTheRow() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                apply_back = { create = false, update = true, delete = true }
                """)
        try h.fromStore.put(h.event("Visit"), key: "A1")
        try h.run()
        try h.toStore.remove(try #require(h.toStore.live.keys.first))
        let out = try h.run()
        #expect(out.report.fromCounts.deleted == 1)
        #expect(h.fromStore.live.isEmpty)
        #expect(try h.state.items(job: "j").isEmpty)
    }
}

/// Derived values stay derived when the `from` item is not read in a run (a delta with no change
/// there): the state knows which fields of its base the job made (issue "Exact sync", build 2).
@Suite struct DerivedFieldStateTests {
    @Test func aTimeEditWritesBackOnlyTheTimeWhenFromWasNotReadThisRun() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                apply_back = { create = false, update = true, delete = false }
                title_template = "Visit with {{participant_0_name}}"
                """)
        let key = try h.fromStore.put(h.event(nil))
        try h.run()
        #expect(try h.state.items(job: "j").map(\.derived) == [[.title]])
        let toKey = try #require(h.toStore.live.keys.first)
        #expect(h.toStore.live[toKey]?.event.title == "Visit with Ann")
        let later = h.now.addingTimeInterval(7_200)
        try h.toStore.edit(toKey) {
            $0.start = .instant(later, timeZone: nil)
            $0.end = .instant(later.addingTimeInterval(1_800), timeZone: nil)
        }
        let out = try h.run()  // the memory `from` side answers a delta without the unchanged row
        #expect(out.report.fromCounts.updated == 1)
        #expect(h.fromStore.live[key]?.event.title == nil, "the template title is not written into the source")
        #expect(h.fromStore.live[key]?.event.start == .instant(later, timeZone: nil))
        #expect(try h.run().report.fromCounts.changed == 0)
    }
}
