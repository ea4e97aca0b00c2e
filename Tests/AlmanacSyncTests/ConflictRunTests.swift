import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// `conflicts.by` in runs of the engine: the run report sums the conflicts up, the state file
/// keeps them (replaced by each run, kept by a dry run), a job without the setting has none.
@Suite(.timeLimit(.minutes(5))) struct ConflictRunTests {
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
}
