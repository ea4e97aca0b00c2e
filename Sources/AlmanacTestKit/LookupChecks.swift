import AlmanacCore
import Foundation

/// Checks of `lookup`: items found wherever their start lies, absent keys confirmed absent.
enum LookupChecks {
    static let all: [ConformanceCheck] = [findsItemsAnywhereInTime]

    static let findsItemsAnywhereInTime = ConformanceCheck(
        name: "lookup finds items by key outside the window and leaves out absent keys", requires: .lookup
    ) { f, expect in
        var events = f.sampleEvents(3, tag: "l")
        // The third starts 60 days after the window: a listing of the window misses it.
        let later = f.window.end.addingTimeInterval(60 * 86_400)
        events[2].start = .instant(later, timeZone: "America/Chicago")
        events[2].end = .instant(later.addingTimeInterval(1_800), timeZone: "America/Chicago")
        let keys = try f.seed(events)
        let listed = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window))
        try expect.that(
            !listed.items.contains { $0.key == keys[2] }, "the item 60 days after the window was listed")
        var absent = "no-such-\(UUID().uuidString.prefix(8).lowercased())"
        if f.connector.capabilities.contains(.delete) {
            let version = listed.items.first { $0.key == keys[1] }?.version
            let outcome = try f.connector.write([.delete(key: keys[1], ifVersion: version)])
            try expect.that(
                outcome.first.map { if case .written = $0 { true } else { false } } == true,
                "deleting \(keys[1]) answered \(outcome)")
            absent = keys[1]
        }
        let found = try f.connector.lookup([keys[0], keys[2], absent])
        let byKey = Dictionary(found.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        try expect.that(
            Set(byKey.keys) == [keys[0], keys[2]], "lookup returned \(byKey.keys.sorted()), want \([keys[0], keys[2]])")
        let zone = TimeZone(identifier: "America/Chicago")!
        try expect.that(
            byKey[keys[2]]?.event.start.date(in: zone) == later,
            "the item outside the window came back starting \(String(describing: byKey[keys[2]]?.event.start))")
        try expect.that(byKey[keys[0]]?.event.title == events[0].title, "the item in the window lost its title")
    }
}
