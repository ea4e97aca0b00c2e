import AlmanacCore
import Foundation
import Testing

@testable import AlmanacSync

@Suite(.timeLimit(.minutes(10))) struct ItemTableTests {
    static func item(_ key: String, _ title: String) -> SourceItem {
        SourceItem(key: key, event: Event(title: title, start: .instant(Date(timeIntervalSince1970: 0), timeZone: nil)))
    }

    @Test func addsReplacesAndRemovesByKey() {
        var table = ItemTable()
        table.reserveCapacity(8)
        for n in 1...4 { table["k\(n)"] = Self.item("k\(n)", "t\(n)") }
        table["k2"] = Self.item("k2", "changed")
        #expect(table.count == 4)
        #expect(table["k2"]?.event.title == "changed")
        table["k1"] = nil  // the last item moves into its place
        table["k9"] = nil  // not there: nothing happens
        #expect(table.count == 3)
        #expect(table["k1"] == nil)
        #expect(table["k4"]?.event.title == "t4")
        #expect(table.keys.sorted() == ["k2", "k3", "k4"])
        let titles = Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value.event.title ?? "") })
        #expect(titles == ["k2": "changed", "k3": "t3", "k4": "t4"])
        table["k4"] = nil  // the last item itself
        table["k2"] = nil
        table["k3"] = nil
        #expect(table.isEmpty && table["k3"] == nil)
        table["k3"] = Self.item("k3", "again")
        #expect(table.map(\.key) == ["k3"])
    }

    /// Random adds, replacements, moves between whole and unchanged, and removals over a few
    /// hundred keys (long probe runs, removals inside them) agree with a dictionary at every step.
    @Test func agreesWithADictionaryUnderChurn() {
        var table = ItemTable()
        var model: [String: String] = [:]  // key → "w:title" or "u"
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        for step in 0..<20_000 {
            let key = "k\(next(300))"
            switch next(4) {
            case 0:
                table[key] = Self.item(key, "t\(step)")
                model[key] = "w:t\(step)"
            case 1:
                table.setUnchanged(ItemTable.Unchanged(key: key, version: nil, versionChanged: false))
                model[key] = "u"
            default:
                if next(3) == 0 {
                    table[key] = nil
                    model[key] = nil
                }
            }
            let probe = "k\(next(300))"
            let held = table.lookup(probe)
            let want = model[probe]
            let got = held.whole.map { "w:\($0.event.title ?? "")" } ?? (held.unchanged != nil ? "u" : nil)
            if got != want || table.count != model.count || table.contains(probe) != (want != nil) {
                Issue.record(
                    "step \(step): \(probe) is \(got ?? "absent"), want \(want ?? "absent"); count \(table.count)")
                return
            }
        }
        #expect(Set(table.keys) == Set(model.keys))
        #expect(table.unchangedCount == model.values.filter { $0 == "u" }.count)
    }
}
