import AlmanacCore
import AlmanacSync
import Testing

/// The guard's rule as a value: an emptied side always blocks; otherwise deletes block when they
/// exceed the percentage and number at least the minimum.
@Suite("Mass-delete guard", .timeLimit(.minutes(10)))
struct MassDeleteGuardTests {
    @Test(arguments: [
        (5, 0, true), (5, 1, true), (5, 2, true), (5, 3, false), (5, 4, false), (100, 80, false), (100, 79, true),
        (2, 0, true), (2, 1, false),
    ])
    func withTheDefaults(known: Int, left: Int, blocks: Bool) {
        let rule = MassDeleteGuard(percent: 20)
        #expect(rule.minimum == 3)
        let why = rule.check(side: .to, deletes: known - left, known: known, sourceListedNothing: left == 0)
        #expect((why != nil) == blocks, "\(known) → \(left)")
    }

    @Test func anEmptiedSideBlocksWhateverTheCountAndTheMessagesSayWhy() {
        let rule = MassDeleteGuard(percent: 20, minimum: 100)
        #expect(
            rule.check(side: .to, deletes: 1, known: 1, sourceListedNothing: true)
                == "the from side listed no items where 1 were known, so 1 deletes toward to are held back; "
                + "if that is right, run again with --allow-mass-delete")
        #expect(rule.check(side: .to, deletes: 99, known: 100, sourceListedNothing: false) == nil)
        #expect(
            MassDeleteGuard(percent: 20).check(side: .from, deletes: 3, known: 5, sourceListedNothing: false)
                == "3 of 5 items (more than 20 %) would be deleted on the from side; check the to side, then run "
                + "again with --allow-mass-delete if that is right")
        #expect(rule.check(side: .to, deletes: 0, known: 5, sourceListedNothing: true) == nil)
    }
}
