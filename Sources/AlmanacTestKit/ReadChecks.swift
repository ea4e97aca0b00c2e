import AlmanacCore
import Foundation

/// Checks of `read`: listings, paging, coverage, cursors, bad items.
enum ReadChecks {
    static let all: [ConformanceCheck] = [
        capabilities, emptyListing, listsSeeded, pagingCompletes, streamedIsRead, badItemIsAProblem,
        connectionReport,
    ]

    static let capabilities = ConformanceCheck(name: "capabilities are consistent") { f, expect in
        let caps = f.connector.capabilities
        try expect.that(caps.contains(.read), "every connector reads; capabilities: \(caps.names)")
        if caps.contains(.delete) { try expect.that(caps.contains(.write), "delete without write") }
        try expect.that(f.connector.fields.contains(.start), "the start field must be represented")
    }

    static let emptyListing = ConformanceCheck(name: "an empty store lists nothing, completely") { f, expect in
        let r = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window))
        try expect.that(r.items.isEmpty, "listed \(r.items.count) items from an empty store")
        try expect.that(r.deleted.isEmpty, "a full listing reported deletions \(r.deleted)")
        guard case .complete(let w) = r.coverage else {
            throw ConformanceFailure(check: "empty listing", message: "a full listing must have coverage .complete")
        }
        try expect.that(w.start <= f.window.start && w.end >= f.window.end, "coverage \(w) does not cover \(f.window)")
        if f.connector.capabilities.contains(.changeFeed) {
            try expect.that(r.cursor != nil, "a change-feed connector must end a listing with a cursor")
        }
    }

    static let listsSeeded = ConformanceCheck(name: "a listing returns each item of the window once") { f, expect in
        var events = f.sampleEvents(3)
        var outside = f.sampleEvents(1, tag: "out")[0]
        outside.start = .instant(f.window.start.addingTimeInterval(-86_400), timeZone: nil)
        outside.end = .instant(f.window.start.addingTimeInterval(-84_600), timeZone: nil)
        events.append(outside)
        let keys = try f.seed(events)
        try expect.that(keys.count == 4, "seed returned \(keys.count) keys for 4 events")
        let r = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window))
        let listed = r.items.map(\.key)
        try expect.that(Set(listed).count == listed.count, "a key was listed twice: \(listed)")
        try expect.that(
            Set(listed) == Set(keys.prefix(3)), "listed \(listed.sorted()), want \(keys.prefix(3).sorted())")
        for item in r.items {
            let i = keys.firstIndex(of: item.key)!
            try expect.same(item.event, events[i], fields: f.connector.fields, "item \(item.key)")
        }
    }

    static let pagingCompletes = ConformanceCheck(name: "paging ends and loses nothing") { f, expect in
        let events = f.sampleEvents(120, tag: "p")
        let keys = try f.seed(events)
        let r = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window), limit: 1_000)
        try expect.that(r.pages < 1_000, "the listing did not end after 1000 pages")
        try expect.that(
            r.items.count == 120 && Set(r.items.map(\.key)) == Set(keys),
            "listed \(r.items.count) items (\(Set(r.items.map(\.key)).count) distinct), want 120")
    }

    static let streamedIsRead = ConformanceCheck(name: "a streamed read hands over what read returns") { f, expect in
        let keys = try f.seed(f.sampleEvents(30, tag: "s"))
        let streamed = try f.connector.readListing(ReadRequest(window: f.window))
        let paged = try f.connector.readListing(ReadRequest(window: f.window), streamed: false)
        // Two listings may order their items differently (a query without ORDER BY).
        let byKey = Dictionary(paged.items.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        try expect.that(
            streamed.items.count == paged.items.count && streamed.items.allSatisfy { byKey[$0.key] == $0 },
            "streamed \(streamed.items.map(\.key).sorted()), read returned \(paged.items.map(\.key).sorted())")
        try expect.that(Set(paged.items.map(\.key)) == Set(keys), "listed \(paged.items.count) of 30 items")
        try expect.that(
            streamed.problems == paged.problems && streamed.coverages == paged.coverages,
            "streamed and paged listings differ in problems or coverage")
    }

    static let badItemIsAProblem = ConformanceCheck(
        name: "an unreadable item is a problem, not an item", needs: [.invalidItem]
    ) { f, expect in
        let seedInvalid = f.seedInvalid!
        let good = try f.seed(f.sampleEvents(2, tag: "b"))
        let locator = try seedInvalid()
        let r = try ConnectorConformance.readAll(f.connector, ReadRequest(window: f.window))
        try expect.that(
            Set(r.items.map(\.key)) == Set(good), "listed \(r.items.map(\.key).sorted()), want \(good.sorted())")
        try expect.that(
            r.problems.contains { $0.key == locator && !$0.reason.isEmpty },
            "no problem names \(locator): \(r.problems.map(\.description))")
    }

    static let connectionReport = ConformanceCheck(name: "testConnection reports its steps") { f, expect in
        let report = f.connector.testConnection()
        try expect.that(!report.steps.isEmpty, "testConnection returned no steps")
        for step in report.steps {
            try expect.that(!step.detail.isEmpty, "step \(step.name) has no detail")
        }
    }
}
