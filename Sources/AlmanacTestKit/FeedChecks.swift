import AlmanacCore
import Foundation

/// Checks of the change feed: deltas from a cursor carry changes and tombstones, and nothing else.
enum FeedChecks {
    static let all: [ConformanceCheck] = [deltaCarriesChanges]

    static let deltaCarriesChanges = ConformanceCheck(
        name: "a delta from a cursor carries changes and deletions", requires: [.changeFeed, .delete]
    ) { f, expect in
        let events = f.sampleEvents(3, tag: "f")
        let keys = try f.seed(events)
        let full = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window))
        guard let cursor = full.cursor else {
            throw ConformanceFailure(check: "feed", message: "no cursor after a full listing")
        }
        let quiet = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window, cursor: cursor))
        try expect.that(
            quiet.items.isEmpty && quiet.deleted.isEmpty,
            "a delta with no change returned \(quiet.items.map(\.key)) and deletions \(quiet.deleted)")
        try expect.that(quiet.coverage == .delta, "a read from a cursor must have coverage .delta")
        var edited = events[1]
        edited.title = "Edited"
        let version = full.items.first { $0.key == keys[1] }?.version
        _ = try f.connector.write([
            .update(key: keys[1], ifVersion: version, event: edited),
            .delete(key: keys[2], ifVersion: nil),
        ])
        let delta = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window, cursor: cursor))
        try expect.that(delta.items.map(\.key) == [keys[1]], "delta items \(delta.items.map(\.key)), want [\(keys[1])]")
        try expect.that(delta.items.first?.event.title == "Edited", "delta item does not carry the edit")
        try expect.that(delta.deleted == [keys[2]], "delta deletions \(delta.deleted), want [\(keys[2])]")
        if let next = delta.cursor {
            let after = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window, cursor: next))
            try expect.that(after.items.isEmpty && after.deleted.isEmpty, "the new cursor re-delivered changes")
        }
    }
}
