import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// `conflicts.by` in runs of the engine: the run report sums the conflicts up, the state file
/// keeps them (replaced by each run, kept by a dry run), a job without the setting has none.
@Suite(.timeLimit(.minutes(10))) struct ConflictRunTests {
    @Test func aRunFindsKeepsAndReplacesTheConflicts() throws {
        let h = try SyncHarness(job: "conflicts = { by = [\"participant_0_email\"] }")
        let a = try h.fromStore.put(h.event("Ann 1", hours: 1, minutes: 60))
        let b = try h.fromStore.put(h.event("Ann 2", hours: 1.5, minutes: 60))
        _ = try h.fromStore.put(h.event("Ann 3", hours: 2.5, minutes: 30))  // starts as Ann 2 ends
        _ = try h.fromStore.put(h.event("Bob", hours: 1, minutes: 60, participant: "Bob"))
        let first = try h.run().report
        #expect(first.result == .success)
        #expect(first.conflicts?.count == 1 && first.conflicts?.more == 0)
        let kept = try h.state.conflicts(job: "j")
        #expect(kept.count == 1)
        #expect(kept.first?.value == "ann@example.org" && kept.first?.field == "participant_0_email")
        #expect(kept.first?.first.keyFrom == a && kept.first?.second.keyFrom == b)
        #expect(kept.first?.first.sides == ["from", "to"])
        let onTo = try #require(kept.first?.first.keyTo)
        #expect(h.toStore.live[onTo]?.event.title == "Ann 1")

        // An unchanged run finds them again (from the state, not only from what it read).
        #expect(try h.run().report.conflicts?.count == 1)
        // A dry run reports none and keeps them.
        try h.fromStore.remove(b)
        #expect(try h.run(RunOptions(dryRun: true)).report.conflicts == nil)
        #expect(try h.state.conflicts(job: "j").count == 1)
        // The next run replaces them.
        let after = try h.run().report
        #expect(after.conflicts?.count == 0)
        #expect(try h.state.conflicts(job: "j").isEmpty)
    }

    @Test func withoutTheSettingThereAreNone() throws {
        let h = try SyncHarness()
        _ = try h.fromStore.put(h.event("Ann 1", hours: 1, minutes: 60))
        _ = try h.fromStore.put(h.event("Ann 2", hours: 1.5, minutes: 60))
        let report = try h.run().report
        #expect(report.result == .success && report.conflicts == nil)
        #expect(try h.state.conflicts(job: "j").isEmpty)
    }

    /// The whole step after a run at 100,000 stored items (2,000 participants): the state read
    /// with its bases, decoded, grouped, sorted and swept. The time is printed.
    @Test func hundredThousandStoredItems() throws {
        let h = try SyncHarness(job: "conflicts = { by = [\"participant_0_email\"] }")
        var r = SeededRandom(state: 100_000)
        var states: [ItemState] = []
        for i in 0..<100_000 {
            var s = ItemState(keyFrom: "f\(i)", keyTo: "t\(i)", hashFrom: "h", hashTo: "h")
            let start = h.now.addingTimeInterval(Double(r.below(60 * 24 * 30)) * 60)
            s.setBase(
                Event(
                    title: "appt \(i)", start: .instant(start, timeZone: nil),
                    end: .instant(start.addingTimeInterval(1_800), timeZone: nil),
                    participants: [Participant(email: "p\(r.below(2_000))@example.org")]),
                zone: h.profile.timeZone)
            states.append(s)
        }
        try h.state.commit(job: "j", upserts: states, cursors: [:])
        let engine = try h.engine()
        var report = RunReport(
            runID: "r", profile: "test", job: "j", trigger: .manual, dryRun: false, started: h.now, finished: h.now,
            result: .success)
        var found: [ScheduleConflict]?
        let took = ContinuousClock().measure { found = engine.conflictsAfter(&report) }
        print("conflicts after a run of 100000 stored items: \(found?.count ?? -1) found in \(took)")
        let clock = ContinuousClock()
        var loaded: [ItemState] = []
        let load = clock.measure { loaded = (try? h.state.items(job: "j", withBases: true)) ?? [] }
        var held: [ConflictFinder.Held] = []
        let decode = clock.measure {
            held = loaded.compactMap { s in s.base.map { .init(keyFrom: s.keyFrom, keyTo: s.keyTo, event: $0) } }
        }
        let sweep = clock.measure { _ = ConflictFinder(job: "j", fields: [.participantEmail(0)]).conflicts(held) }
        print("of which: state read \(load), bases decoded \(decode), grouped and swept \(sweep)")
        #expect((found?.count ?? 0) > 1_000)
        #expect(report.conflicts?.count == found?.count && report.conflicts?.pairs.count == 10)
        #expect(report.conflicts?.more == (found?.count ?? 0) - 10)
    }
}
