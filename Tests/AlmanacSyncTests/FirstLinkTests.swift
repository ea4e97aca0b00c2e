import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// A job's first run onto a side that already holds items (issue 19): unlinked items are matched
/// by the job's `match` fields before anything is created; ambiguous ones are reported and left
/// alone; the setting changes what is linked; `relink` matches again later.
@Suite(.timeLimit(.minutes(10)))
struct FirstLinkTests {
    /// `event` as another calendar would hold it: the same instant in another zone, the title
    /// in other case and white space.
    static func elsewhere(_ e: Event, title: String? = nil) -> Event {
        var out = e
        if case .instant(let d, _) = e.start { out.start = .instant(d, timeZone: "Asia/Tokyo") }
        out.title = title ?? "  " + (e.title ?? "").uppercased().replacingOccurrences(of: " ", with: "   ") + " "
        return out
    }

    /// How many live items of `store` have each normalised start + title.
    static func census(_ store: MemoryStore) -> [String: Int] {
        var out: [String: Int] = [:]
        for r in store.live.values {
            let title = MatchValue.text(r.event.title).map { "\($0)" } ?? "-"
            out["\(MatchValue.time(r.event.start))|\(title)", default: 0] += 1
        }
        return out
    }

    /// Random sides: groups of items sharing a start and a title, each group one of: a pair (one
    /// on each side), `from` only, `to` only, or ambiguous (2×1, 1×2 or 2×2). After the first and
    /// a second run: no duplicate, every pair linked (and linked to each other), every ambiguous
    /// item reported and untouched, every lone `from` item created once.
    @Test(arguments: [(UInt64(1), "one-way"), (2, "one-way"), (3, "two-way"), (4, "two-way"), (5, "one-way")])
    func randomSidesEndWithoutDuplicates(seed: UInt64, direction: String) throws {
        var rng = SeededRandom(state: seed)
        let twoWay = direction == "two-way"
        let h = try SyncHarness(
            job: "direction = \"\(direction)\"\n"
                + (twoWay ? "apply_back = { create = true, update = true, delete = false }\n" : ""))
        var pairs: [(String, String)] = []
        var fromOnly: [String] = []
        var toOnly: [String] = []
        var ambiguous: [AmbiguousMatch] = []
        var untouched: [String: Event] = [:]
        for g in 0..<(40 + rng.below(40)) {
            let e = h.event("Visit \(g % 7) client \(g)", hours: Double(g + 1) + Double(rng.below(4)) / 4)
            switch rng.below(6) {
            case 0, 1:
                try h.fromStore.put(e, key: "a\(g)")
                try h.toStore.put(Self.elsewhere(e), key: "t\(g)")
                pairs.append(("a\(g)", "t\(g)"))
            case 2:
                try h.fromStore.put(e, key: "a\(g)")
                fromOnly.append("a\(g)")
            case 3:
                try h.toStore.put(Self.elsewhere(e), key: "t\(g)")
                toOnly.append("t\(g)")
            default:
                let shape = [(2, 1), (1, 2), (2, 2)][rng.below(3)]
                let from = (0..<shape.0).map { "a\(g)x\($0)" }
                let to = (0..<shape.1).map { "t\(g)x\($0)" }
                for k in from {
                    var v = e
                    v.location = "Room \(k)"  // differs outside the match key
                    try h.fromStore.put(v, key: k)
                    untouched[k] = v
                }
                for k in to {
                    let v = Self.elsewhere(e)
                    try h.toStore.put(v, key: k)
                    untouched[k] = v
                }
                ambiguous.append(AmbiguousMatch(from: from, to: to))
            }
        }
        let toBefore = h.toStore.live.count
        let first = try h.run()
        #expect(first.report.result == .success, "\(first.report)")
        #expect(Set(first.report.ambiguous ?? []) == Set(ambiguous))
        #expect(first.report.toCounts.created == fromOnly.count)
        #expect(first.report.fromCounts.created == (twoWay ? toOnly.count : 0))
        #expect(first.report.linked == (pairs.isEmpty ? nil : pairs.count))
        let second = try h.run()
        #expect(second.report.result == .success, "\(second.report)")
        #expect(Set(second.report.ambiguous ?? []) == Set(ambiguous))
        #expect(second.report.toCounts.changed == 0 && second.report.fromCounts.changed == 0, "\(second.report)")

        #expect(h.toStore.live.count == toBefore + fromOnly.count)
        #expect(
            h.fromStore.live.count == pairs.count + fromOnly.count + ambiguous.flatMap(\.from).count
                + (twoWay ? toOnly.count : 0))
        // No duplicate: every start + title is held as often on `to` as the sides held it before.
        let expected =
            ambiguous.map { $0.to.count } + Array(repeating: 1, count: pairs.count + fromOnly.count + toOnly.count)
        #expect(Self.census(h.toStore).values.sorted() == expected.sorted())
        let links = Dictionary(
            uniqueKeysWithValues: try h.state.items(job: "j").compactMap { s in s.keyFrom.map { ($0, s.keyTo) } })
        for (a, t) in pairs { #expect(links[a] == .some(t), "\(a) linked to \(t)") }
        for k in ambiguous.flatMap(\.from) { #expect(links[k] == nil, "\(k) has no state") }
        for (k, e) in untouched {
            let store = k.hasPrefix("a") ? h.fromStore : h.toStore
            #expect(store.live[k]?.event == e, "\(k) untouched")
        }
        let linkedTo = Set(links.values.compactMap { $0 })
        for k in ambiguous.flatMap(\.to) { #expect(!linkedTo.contains(k)) }
    }

    /// Two appointments at one time: the default key (start and title) pairs them; `start_time`
    /// alone finds them ambiguous. One appointment whose title differs: the default creates it
    /// again; `start_time` alone links it.
    @Test(arguments: [false, true])
    func theMatchSettingDecidesWhatIsLinked(startOnly: Bool) throws {
        let h = try SyncHarness(job: startOnly ? "match = [\"start_time\"]" : "")
        try h.fromStore.put(h.event("Checkup", hours: 2), key: "a1")
        try h.fromStore.put(h.event("Cleaning", hours: 2), key: "a2")
        try h.fromStore.put(h.event("Filling", hours: 5), key: "a3")
        try h.toStore.put(Self.elsewhere(h.event("Checkup", hours: 2)), key: "t1")
        try h.toStore.put(Self.elsewhere(h.event("Cleaning", hours: 2)), key: "t2")
        try h.toStore.put(h.event("Filling (Ann)", hours: 5), key: "t3")
        let dry = try h.run(RunOptions(dryRun: true))
        let lines = dry.actions.map(\.line)
        let out = try h.run()
        if startOnly {
            #expect(
                lines == [
                    "ambiguous -     a1, a2  same start_time as t1, t2 on to: not linked, not created",
                    "update  to    a3  changed in from",
                    "link    -     a3  matched on start_time with t3",
                ], "\(lines)")
            #expect(out.report.ambiguous == [AmbiguousMatch(from: ["a1", "a2"], to: ["t1", "t2"])])
            #expect(SyncHarness.titles(h.toStore) == ["  CHECKUP ", "  CLEANING ", "Filling"])
        } else {
            #expect(
                lines == [
                    "update  to    a1  changed in from",
                    "link    -     a1  matched on start_time, title with t1",
                    "update  to    a2  changed in from",
                    "link    -     a2  matched on start_time, title with t2",
                    "create  to    a3  new in from",
                ], "\(lines)")
            #expect(out.report.ambiguous == nil)
            #expect(SyncHarness.titles(h.toStore) == ["Checkup", "Cleaning", "Filling", "Filling (Ann)"])
        }
    }

    /// Same content on both sides: linked with no write at all.
    @Test func identicalItemsAreLinkedWithoutAWrite() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Checkup", hours: 2), key: "a1")
        try h.toStore.put(h.event("Checkup", hours: 2), key: "t1")
        let versions = h.toStore.live.mapValues(\.version)
        let out = try h.run()
        #expect(out.actions.map(\.line) == ["link    -     a1  matched on start_time, title with t1"])
        #expect(out.report.toCounts.changed == 0 && out.report.linked == 1)
        #expect(h.toStore.live.mapValues(\.version) == versions)
    }

    /// After the first link closed, a new item equal to an unlinked one of `to` is created (as
    /// before); `relink` matches it instead. Ambiguity keeps the first link open until resolved.
    @Test func relinkMatchesAgainAndAmbiguityKeepsTheFirstLinkOpen() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("Checkup", hours: 2), key: "a1")
        try h.run()
        #expect(try h.state.firstLinkOpen(job: "j") == false)
        try h.fromStore.put(h.event("Cleaning", hours: 3), key: "a2")
        try h.toStore.put(h.event("Cleaning", hours: 3), key: "t2")
        try h.fromStore.put(h.event("Filling", hours: 4), key: "a3")
        try h.toStore.put(h.event("Filling", hours: 4), key: "t3")
        let relinked = try h.run(RunOptions(relink: true))
        #expect(relinked.report.linked == 2 && relinked.report.toCounts.created == 0)
        #expect(h.toStore.live.count == 3)
        try h.fromStore.put(h.event("X-ray", hours: 5), key: "a4")
        try h.toStore.put(h.event("X-ray", hours: 5), key: "t4")
        let plain = try h.run()
        #expect(plain.report.toCounts.created == 1 && plain.report.linked == nil)
        #expect(SyncHarness.titles(h.toStore).filter { $0 == "X-ray" }.count == 2)

        let g = try SyncHarness()
        try g.fromStore.put(g.event("Checkup", hours: 2), key: "a1")
        try g.fromStore.put(g.event("Checkup", hours: 2), key: "a2")
        try g.toStore.put(g.event("Checkup", hours: 2), key: "t1")
        try g.fromStore.put(g.event("Cleaning", hours: 3), key: "a3")
        #expect(try g.run().report.ambiguous?.count == 1)
        #expect(try g.state.firstLinkOpen(job: "j"))
        try g.fromStore.put(g.event("Checkup", hours: 2), key: "a9")  // a new one, still ambiguous
        let again = try g.run()
        #expect(again.report.ambiguous == [AmbiguousMatch(from: ["a1", "a2", "a9"], to: ["t1"])])
        #expect(g.toStore.live.count == 2)
        try g.fromStore.remove("a2")
        try g.fromStore.remove("a9")
        let resolved = try g.run()
        #expect(resolved.report.ambiguous == nil && resolved.report.linked == 1)
        #expect(try g.state.firstLinkOpen(job: "j") == false)
        #expect(g.toStore.live.count == 2)
    }
}
