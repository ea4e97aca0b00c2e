import AlmanacCore
import AlmanacSync
import Foundation
import Testing

@Suite(.timeLimit(.minutes(5))) struct ItemTableTests {
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
}
