import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// `privacy`, `include` and `exclude` of a job's `from` → `to` direction, between memory stores.
@Suite(.timeLimit(.minutes(10))) struct PrivacyTests {
    /// An appointment with every private field filled in.
    func detailed(_ h: SyncHarness, _ title: String, hours: Double = 1, type: String = "visit") -> Event {
        var e = h.event(title, hours: hours, participant: "Zelda Quist")
        e.description = "diagnosis: sprained wrist"
        e.location = "Room 4"
        e.participants[0].phones[.mobile] = "+1 312 555 0199"
        e.custom = ["appt_type": type, "chart": "C-881"]
        return e
    }

    @Test func busyWritesOnlyTimesAndAFixedTitle() throws {
        let h = try SyncHarness(job: "privacy = \"busy\"")
        let e = detailed(h, "Zelda Quist: wrist")
        try h.fromStore.put(e, key: "A1")
        let first = try h.run()
        #expect(first.report.toCounts.created == 1)
        let written = try #require(h.toStore.live.values.first?.event)
        #expect(written.title == "Busy")
        #expect(written.start == e.start && written.end == e.end)
        #expect(written.description == nil && written.location == nil)
        #expect(written.participants.isEmpty && written.custom.isEmpty)
        #expect(
            written.origin
                == DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A1", generation: 0))
        // The hash is that of what was written: nothing to do on the next run.
        let quiet = try h.run()
        #expect(quiet.report.toCounts.changed == 0)
        #expect(quiet.actions.isEmpty)
        // A private field changes in `from`: nothing to write either.
        try h.fromStore.edit("A1") { $0.description = "diagnosis: fracture" }
        #expect(try h.run().report.toCounts.changed == 0)
        // The time changes: the event moves, still busy.
        try h.fromStore.edit("A1") {
            $0.start = h.event(nil, hours: 3).start; $0.end = h.event(nil, hours: 3).end
        }
        #expect(try h.run().report.toCounts.updated == 1)
        #expect(h.toStore.live.values.first?.event.start == h.event(nil, hours: 3).start)
        #expect(h.toStore.live.values.first?.event.title == "Busy")
    }

    @Test func tentativeItemsAreWrittenAsBusyWithoutTheirStatus() throws {
        let h = try SyncHarness(job: "privacy = \"busy\"\ninclude_tentative = true")
        try h.fromStore.put(h.event("Maybe Zelda", status: .tentative), key: "A1")
        try h.run()
        let written = try #require(h.toStore.live.values.first?.event)
        #expect(written.title == "Busy" && written.status == .confirmed)
        #expect(try h.run().report.toCounts.changed == 0)
    }

    @Test func allDayItemsStayAllDay() throws {
        let h = try SyncHarness(job: "privacy = \"busy\"\nbusy_title = \"Out\"")
        var e = detailed(h, "Leave")
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = h.profile.timeZone
        let day = cal.dateComponents([.year, .month, .day], from: h.now.addingTimeInterval(86_400))
        let date = CivilDate(year: day.year!, month: day.month!, day: day.day!)
        e.start = .allDay(date)
        e.end = .allDay(date.adding(days: 1))
        try h.fromStore.put(e, key: "A1")
        try h.run()
        let written = try #require(h.toStore.live.values.first?.event)
        #expect(written.title == "Out")
        #expect(written.start == e.start && written.end == e.end)
    }

    @Test func redactedTitleUsesOnlyNonParticipantFields() throws {
        let h = try SyncHarness(job: "privacy = \"redacted\"\nredacted_title = \"{{appt_type}} ({{status}})\"")
        try h.fromStore.put(detailed(h, "Zelda Quist: wrist"), key: "A1")
        try h.run()
        let written = try #require(h.toStore.live.values.first?.event)
        #expect(written.title == "visit (confirmed)")
        #expect(written.description == nil && written.location == nil)
        #expect(written.participants.isEmpty && written.custom.isEmpty)
        #expect(try h.run().report.toCounts.changed == 0)

        let plain = try SyncHarness(job: "privacy = \"redacted\"")
        try plain.fromStore.put(detailed(plain, "Zelda Quist: wrist"), key: "A1")
        try plain.run()
        #expect(SyncHarness.titles(plain.toStore) == ["Appointment"])
    }

    /// Both with a `from` side read in full on every run (as SQL and CSV are) and with one read
    /// by change feed (as calendars are).
    @Test(arguments: [false, true]) func changingPrivacyRewritesWhatIsAlreadySynced(changeFeed: Bool) throws {
        var options = MemoryStore.Options()
        if !changeFeed { options.capabilities.remove(.changeFeed) }
        let h = try SyncHarness(fromOptions: options)
        try h.fromStore.put(detailed(h, "Zelda Quist: wrist"), key: "A1")
        try h.fromStore.put(detailed(h, "Otto Brandt: knee", hours: 2), key: "A2")
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["Otto Brandt: knee", "Zelda Quist: wrist"])
        #expect(h.toStore.live.values.allSatisfy { $0.event.description == "diagnosis: sprained wrist" })

        h.job.outbound.privacy = .busy
        let tightened = try h.run()
        #expect(tightened.report.toCounts.updated == 2)
        #expect(SyncHarness.titles(h.toStore) == ["Busy", "Busy"])
        #expect(h.toStore.live.values.allSatisfy { $0.event.description == nil && $0.event.participants.isEmpty })
        #expect(try h.run().report.toCounts.changed == 0)

        h.job.outbound.privacy = .full
        let loosened = try h.run()
        #expect(loosened.report.toCounts.updated == 2)
        #expect(SyncHarness.titles(h.toStore) == ["Otto Brandt: knee", "Zelda Quist: wrist"])
        #expect(h.toStore.live.values.allSatisfy { $0.event.participants.first?.name == "Zelda Quist" })
        #expect(try h.run().report.toCounts.changed == 0)
    }

    @Test func twoWayBusyWritesBackOnlyWhatTheCalendarChanged() throws {
        let h = try SyncHarness(job: "direction = \"two-way\"\nprivacy = \"busy\"")
        let e = detailed(h, "Zelda Quist: wrist")
        try h.fromStore.put(e, key: "A1")
        try h.run()
        let toKey = try #require(h.toStore.live.keys.first)
        let later = h.event(nil, hours: 5)
        try h.toStore.edit(toKey) {
            $0.start = later.start; $0.end = later.end
        }
        let back = try h.run()
        #expect(back.report.fromCounts.updated == 1)
        let row = try #require(h.fromStore.live["A1"]?.event)
        #expect(row.start == later.start)
        #expect(row.title == "Zelda Quist: wrist")
        #expect(row.description == "diagnosis: sprained wrist")
        #expect(row.participants.first?.name == "Zelda Quist")
        #expect(row.custom == e.custom)
        #expect(h.toStore.live[toKey]?.event.title == "Busy")
        let quiet = try h.run()
        #expect(quiet.report.toCounts.changed == 0 && quiet.report.fromCounts.changed == 0)

        // `--since` lists only what changed since: `from` is still listed in full, so the row
        // written back is the row as stored, not the busy view.
        let since = Date()
        let latest = h.event(nil, hours: 7)
        try h.toStore.edit(toKey) {
            $0.start = latest.start; $0.end = latest.end
        }
        #expect(try h.run(RunOptions(since: since)).report.fromCounts.updated == 1)
        let again = try #require(h.fromStore.live["A1"]?.event)
        #expect(again.start == latest.start && again.title == "Zelda Quist: wrist")
        #expect(again.description == "diagnosis: sprained wrist" && again.custom == e.custom)
    }

    @Test func includeAndExcludeDecideWhatGoes() throws {
        let h = try SyncHarness(
            job: """
                include_tentative = true
                include = { status = ["confirmed"], participant_0_email = [" ZELDA QUIST@example.org "] }
                exclude = { appt_type = ["internal"] }
                """)
        try h.fromStore.put(detailed(h, "goes"), key: "A1")
        try h.fromStore.put(detailed(h, "internal", type: "internal"), key: "A2")
        try h.fromStore.put(h.event("maybe", status: .tentative, participant: "Zelda Quist"), key: "A3")
        try h.fromStore.put(h.event("someone else", participant: "Otto"), key: "A4")
        let out = try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["goes"])
        #expect(
            out.actions.map(\.line).sorted()
                == [
                    "create  to    A1  new in from",
                    "skip    to    A2  excluded (exclude.appt_type)",
                    "skip    to    A3  not included (include.status)",
                    "skip    to    A4  not included (include.participant_0_email)",
                ].sorted())
    }

    @Test func includeOnTheMappedTitle() throws {
        let h = try SyncHarness(job: "title_template = \"{{appt_type}}\"\ninclude = { title = [\"visit\"] }")
        try h.fromStore.put(detailed(h, ""), key: "A1")
        try h.fromStore.put(detailed(h, "", type: "admin"), key: "A2")
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["visit"])
    }

    @Test func anItemThatStopsMatchingIsDeletedOnlyWhenThisJobCreatedIt() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                apply_back = { create = true }
                exclude = { appt_type = ["internal"] }
                """)
        try h.fromStore.put(detailed(h, "ours"), key: "A1")
        var theirs = h.event("theirs", hours: 4)
        theirs.custom = ["appt_type": "visit"]
        let theirKey = try h.toStore.put(theirs)
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["ours", "theirs"])
        let backKey = try #require(h.fromStore.live.first { $0.value.event.title == "theirs" }?.key)

        try h.fromStore.edit("A1") { $0.custom["appt_type"] = "internal" }
        try h.fromStore.edit(backKey) { $0.custom["appt_type"] = "internal" }
        let out = try h.run()
        #expect(out.report.toCounts.deleted == 1)
        #expect(SyncHarness.titles(h.toStore) == ["theirs"])
        #expect(h.toStore.live[theirKey] != nil)
        #expect(
            out.actions.map(\.line).sorted()
                == [
                    "delete  to    A1  excluded (exclude.appt_type)",
                    "skip    to    \(backKey)  excluded (exclude.appt_type); left in to: not created by this job",
                ].sorted())
        // Left, and reported again while it does not match.
        let again = try h.run()
        #expect(again.report.toCounts.changed == 0)
        #expect(again.actions.map(\.line).contains { $0.contains("left in to: not created by this job") })
        #expect(SyncHarness.titles(h.toStore) == ["theirs"])
    }

    /// A pair a first link matched (`match`) was on `to` before the job: it is not the job's to
    /// delete when its `from` item stops matching, even after the job has updated it.
    @Test func aFirstLinkedItemThatStopsMatchingIsLeftOnTo() throws {
        let h = try SyncHarness(job: "exclude = { appt_type = [\"internal\"] }")
        try h.fromStore.put(detailed(h, "checkup"), key: "A1")
        try h.fromStore.put(detailed(h, "made", hours: 3), key: "A2")
        let theirKey = try h.toStore.put(h.event("checkup"))
        let first = try h.run()
        #expect(first.report.toCounts.created == 1)
        #expect(first.actions.map(\.line).contains { $0.hasPrefix("link") && $0.contains("A1") })
        #expect(SyncHarness.titles(h.toStore) == ["checkup", "made"])
        // An edit goes out to the linked item, which stays someone else's.
        try h.fromStore.edit("A1") { $0.location = "Room 9" }
        #expect(try h.run().report.toCounts.updated == 1)
        #expect(h.toStore.live[theirKey]?.event.location == "Room 9")

        try h.fromStore.edit("A1") { $0.custom["appt_type"] = "internal" }
        try h.fromStore.edit("A2") { $0.custom["appt_type"] = "internal" }
        let out = try h.run()
        #expect(out.report.toCounts.deleted == 1)
        #expect(h.toStore.live[theirKey] != nil)
        #expect(SyncHarness.titles(h.toStore) == ["checkup"])
        #expect(
            out.actions.map(\.line).sorted()
                == [
                    "delete  to    A2  excluded (exclude.appt_type)",
                    "skip    to    A1  excluded (exclude.appt_type); left in to: not created by this job",
                ].sorted())
    }

    @Test func twoWayBusyItemThatMatchesAgainIsMadeAgain() throws {
        let h = try SyncHarness(
            job: "direction = \"two-way\"\nprivacy = \"busy\"\nexclude = { appt_type = [\"internal\"] }")
        try h.fromStore.put(detailed(h, "a"), key: "A1")
        try h.run()
        #expect(SyncHarness.titles(h.toStore) == ["Busy"])
        try h.fromStore.edit("A1") { $0.custom["appt_type"] = "internal" }
        #expect(try h.run().report.toCounts.deleted == 1)
        #expect(SyncHarness.titles(h.toStore) == [])
        #expect(try h.run().report.toCounts.changed == 0)
        try h.fromStore.edit("A1") { $0.custom["appt_type"] = "visit" }
        #expect(try h.run().report.toCounts.created == 1)
        #expect(SyncHarness.titles(h.toStore) == ["Busy"])
        #expect(try h.run().report.toCounts.changed == 0)
    }

    @Test func dryRunShowsThePlanAndWritesNothing() throws {
        let h = try SyncHarness(job: "privacy = \"busy\"\nexclude = { appt_type = [\"internal\"] }")
        try h.fromStore.put(detailed(h, "a"), key: "A1")
        try h.fromStore.put(detailed(h, "b", type: "internal"), key: "A2")
        let dry = try h.run(RunOptions(dryRun: true))
        #expect(
            dry.actions.map(\.line) == [
                "create  to    A1  new in from", "skip    to    A2  excluded (exclude.appt_type)",
            ])
        #expect(h.toStore.live.isEmpty)
    }
}
