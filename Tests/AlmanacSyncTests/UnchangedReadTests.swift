import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// The `from` items a run holds as unchanged while reading (`UnchangedFilter`) must be exactly
/// those the planner would find unchanged: every change, deletion or pending state on either side
/// keeps an item whole, and a run with them ends as a run that reads `to` in full would.
@Suite(.timeLimit(.minutes(10)), .serialized) struct UnchangedReadTests {
    static let twoWay = """
        direction = "two-way"
        apply_back = { create = true, update = true, delete = false }
        """

    /// A harness whose `from` side is listed in full (no change feed) and whose `to` side is read
    /// as a delta when `toDelta` (the shape of an SQL source and a calendar), with five items synced
    /// and the `to` cursor stored.
    static func synced(job: String, toDelta: Bool) throws -> SyncHarness {
        var fromOptions = MemoryStore.Options()
        fromOptions.capabilities.remove(.changeFeed)
        var toOptions = MemoryStore.Options()
        if !toDelta { toOptions.capabilities.remove(.changeFeed) }
        let h = try SyncHarness(job: job, fromOptions: fromOptions, toOptions: toOptions)
        for (n, key) in ["A", "B", "C", "D", "E"].enumerated() {
            try h.fromStore.put(h.event("Visit \(key)", hours: Double(n + 1)), key: key)
        }
        try h.run()
        try h.run()  // the `to` side's cursor is current
        return h
    }

    /// The `to` key of the `from` item `key`.
    static func toKey(_ h: SyncHarness, _ key: String) throws -> String {
        try #require(try h.state.items(job: "j").first { $0.keyFrom == key }?.keyTo)
    }

    /// What a run did and what both sides hold after it, to compare runs.
    static func outcome(_ h: SyncHarness, _ out: SyncOutcome) -> String {
        let r = out.report
        let stores = [h.fromStore, h.toStore].map { store in
            store.live.values.map {
                "\($0.event.title ?? "")|\($0.event.location ?? "")|\($0.event.status.rawValue)|\($0.event.participants.first?.response.rawValue ?? "")"
            }.sorted().joined(separator: ";")
        }
        return "\(r.result) to \(r.toCounts) from \(r.fromCounts) failures \(r.failures.count) | \(stores)"
    }

    typealias Change = (SyncHarness) throws -> Void

    /// Runs `change` on a job whose `to` is read as a delta and on one whose `to` is read in full,
    /// and expects both runs to end alike; returns the delta run's outcome.
    @discardableResult
    static func same(job: String, _ change: Change) throws -> (SyncHarness, SyncOutcome) {
        let delta = try synced(job: job, toDelta: true)
        let full = try synced(job: job, toDelta: false)
        try change(delta)
        try change(full)
        let a = try delta.run()
        let b = try full.run()
        #expect(outcome(delta, a) == outcome(full, b))
        // And a quiet run after it.
        #expect(outcome(delta, try delta.run()) == outcome(full, try full.run()))
        return (delta, a)
    }

    @Test func nothingChangedWritesNothing() throws {
        let (_, out) = try Self.same(job: Self.twoWay) { _ in }
        #expect(out.report.toCounts.unchanged == 5 && out.report.toCounts.changed == 0)
        #expect(out.actions.isEmpty)
    }

    @Test func anEditOnToComesBackThoughFromIsUnchanged() throws {
        let (h, out) = try Self.same(job: Self.twoWay) { h in
            try h.toStore.edit(try Self.toKey(h, "B")) { $0.location = "Room 2" }
        }
        #expect(out.report.fromCounts.updated == 1)
        #expect(h.fromStore.live["B"]?.event.location == "Room 2")
    }

    @Test func editsOnBothSidesConflict() throws {
        let (h, out) = try Self.same(job: Self.twoWay) { h in
            try h.toStore.edit(try Self.toKey(h, "C")) { $0.location = "Room 2" }
            try h.fromStore.edit("C") { $0.location = "Room 3" }
        }
        #expect(out.report.toCounts.conflicts + out.report.fromCounts.conflicts == 1)
        #expect(h.fromStore.live["C"]?.event.location == h.toStore.live[try Self.toKey(h, "C")]?.event.location)
    }

    @Test func aDeletionOnToIsSeen() throws {
        let (h, out) = try Self.same(job: "direction = \"one-way\"") { h in
            try h.toStore.remove(try Self.toKey(h, "D"))
        }
        #expect(out.report.toCounts.created == 1)
        #expect(SyncHarness.titles(h.toStore).contains("Visit D"))
    }

    @Test func aDeletionOnToOfATwoWayJobIsSeen() throws {
        try Self.same(job: Self.twoWay) { h in try h.toStore.remove(try Self.toKey(h, "D")) }
    }

    @Test func anAcceptanceOnToIsWrittenBack() throws {
        try Self.same(job: Self.twoWay) { h in
            try h.toStore.edit(try Self.toKey(h, "E")) { $0.participants[0].response = .accepted }
        }
    }

    @Test func fromEditsDeletionsAndNewItemsAreSynced() throws {
        let (h, out) = try Self.same(job: "direction = \"one-way\"") { h in
            try h.fromStore.edit("A") { $0.title = "Moved A" }
            try h.fromStore.remove("B")
            try h.fromStore.edit("C") { $0.status = .tentative }
            try h.fromStore.put(h.event("Visit F", hours: 7), key: "F")
        }
        #expect(out.report.toCounts.updated == 1 && out.report.toCounts.created == 1)
        #expect(SyncHarness.titles(h.toStore).contains("Moved A"))
    }

    @Test func anItemMovedOutOfTheWindowOnToIsLeftAlone() throws {
        try Self.same(job: Self.twoWay) { h in
            try h.toStore.edit(try Self.toKey(h, "A")) { e in
                e.start = .instant(h.now.addingTimeInterval(400 * 86_400), timeZone: h.profile.timeZone.identifier)
                e.end = nil
            }
        }
    }

    /// The filter itself: each reason to keep an item whole.
    @Test func keepsWholeEveryItemThePlannerMustSee() throws {
        let h = try Self.synced(job: Self.twoWay, toDelta: true)
        let job = try h.engine().job
        let window = h.job.window.window(around: h.now)
        let states = try h.state.items(job: "j", withBases: false)
        func item(_ r: MemoryStore.Record) -> SourceItem {
            SourceItem(key: r.key, version: "v\(r.version)", event: r.event)
        }
        let items = Dictionary(uniqueKeysWithValues: h.fromStore.live.map { ($0.key, item($0.value)) })
        func reduced(_ to: SideRead, _ states: [ItemState] = states, edit: (inout SourceItem) -> Void = { _ in })
            -> [String]
        {
            let filter = UnchangedFilter(job: job, window: window, to: to, states: { states })
            return items.keys.sorted().filter { key in
                var item = items[key]!
                edit(&item)
                return filter.reduce(item) != nil
            }
        }
        #expect(reduced(SideRead()) == ["A", "B", "C", "D", "E"])
        // The state cannot be loaded: every item whole.
        let failing = UnchangedFilter(job: job, window: window, to: SideRead(), states: { throw CancellationError() })
        #expect(failing.reduce(items["A"]!) == nil)

        let keyB = try Self.toKey(h, "B")
        var toB = item(try #require(h.toStore.live[keyB]))
        var to = SideRead()
        to.items[keyB] = toB  // listed as the state has it
        #expect(reduced(to) == ["A", "B", "C", "D", "E"])
        toB.event.location = "Room 2"  // changed on `to`
        to.items[keyB] = toB
        #expect(reduced(to) == ["A", "C", "D", "E"])
        toB.event.location = nil
        toB.event.participants[0].response = .accepted  // a response to write back
        to.items[keyB] = toB
        #expect(reduced(to) == ["A", "C", "D", "E"])
        to = SideRead()
        to.deleted = [keyB]  // deleted on `to`
        #expect(reduced(to) == ["A", "C", "D", "E"])
        to = SideRead()
        to.problems = [ItemProblem(key: keyB, reason: "unreadable")]
        #expect(reduced(to) == ["A", "B", "C", "D", "E"])  // the planner skips it without looking

        // Changed on `from`, excluded, out of the window, with an origin stamp.
        #expect(reduced(SideRead()) { $0.event.title = "x" } == [])
        #expect(reduced(SideRead()) { $0.event.status = .tentative } == [])
        #expect(reduced(SideRead()) { $0.event.start = .instant(Date(timeIntervalSince1970: 0), timeZone: nil) } == [])
        #expect(reduced(SideRead()) { $0.event.origin = "x" } == [])
        // A new version with the same content: held as unchanged, with the version.
        let filter = UnchangedFilter(job: job, window: window, to: SideRead(), states: { states })
        var a = items["A"]!
        a.version = "v-new"
        #expect(filter.reduce(a) == ItemTable.Unchanged(key: "A", version: "v-new", versionChanged: true))
        #expect(filter.reduce(items["A"]!) == ItemTable.Unchanged(key: "A", version: nil, versionChanged: false))

        // State rows away, without hashes, or missing.
        func edited(_ change: (inout ItemState) -> Void) -> [ItemState] {
            states.map { s in
                var s = s
                if s.keyFrom == "C" { change(&s) }
                return s
            }
        }
        #expect(reduced(SideRead(), edited { $0.away = [.to] }) == ["A", "B", "D", "E"])
        #expect(reduced(SideRead(), edited { $0.hashTo = nil }) == ["A", "B", "D", "E"])
        #expect(reduced(SideRead(), edited { $0.keyFrom = nil }) == ["A", "B", "D", "E"])
    }
}

@Suite(.timeLimit(.minutes(10))) struct PackedHashTests {
    @Test(arguments: [
        "20aa55137ba428d91b70930c5d1979cd", "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff",
        "20AA55137BA428D91B70930C5D1979CD", "20aa55137ba428d91b70930c5d1979c", "20aa55137ba428d91b70930c5d1979cdd",
        "20aa55137ba428d91b70930c5d1979cg", "", "not a hash",
    ])
    func keepsTheTextItWasMadeFrom(_ text: String) {
        let packed = PackedHash(text)
        #expect(packed.text == text)
        #expect(packed.matches(text))
        #expect(!packed.matches(text + "0") && !packed.matches(String(text.dropLast())) || text.isEmpty)
        let isWords = if case .words = packed { true } else { false }
        #expect(isWords == (text.count == 32 && text.allSatisfy { "0123456789abcdef".contains($0) }))
    }

    @Test func statesCompareByTheirHashes() {
        let a = ItemState(
            keyFrom: "1", hashFrom: "20aa55137ba428d91b70930c5d1979cd", hashTo: "20aa55137ba428d91b70930c5d1979cd")
        var b = a
        #expect(a == b && a.hasHash("20aa55137ba428d91b70930c5d1979cd", .to))
        b.hashTo = "20aa55137ba428d91b70930c5d1979ce"
        #expect(a != b && !b.hasHash("20aa55137ba428d91b70930c5d1979cd", .to))
        b.hashTo = nil
        #expect(b.hashTo == nil && !b.hasAnyHash(.to) && b.hasAnyHash(.from))
        b.baseData = Data("{}".utf8)
        b.away = [.from]
        #expect(b.baseData == Data("{}".utf8) && b.away == [.from] && b.derived.isEmpty)
        b.baseData = nil
        b.away = []
        b.hashTo = a.hashTo
        #expect(a == b)  // out-of-line fields set and cleared again compare as never set
    }
}
