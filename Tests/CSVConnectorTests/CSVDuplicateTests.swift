import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// One listing lists an external_id once: the first row is kept, later rows with its key are problems, skipped.
@Suite struct CSVDuplicateTests {
    func connector(_ s: Scratch, pageSize: Int) throws -> CSVConnector {
        let ctx = fileConnectorContext(["path": .string("drop")], dir: s.url)
        return CSVConnector(
            settings: try CSVSettings(ctx), side: .from, capabilities: [.read], logger: ctx.logger, pageSize: pageSize)
    }

    /// a.csv repeats D1 within itself; b.csv repeats D2 of a.csv twice (one with spaces around it).
    func seed(_ s: Scratch) throws {
        try FileManager.default.createDirectory(
            at: s.url.appendingPathComponent("drop"), withIntermediateDirectories: true)
        s.file(
            "drop/a.csv",
            "external_id,title,start_time\r\nD1,first,2026-03-02T09:00\r\nD2,second,2026-03-02T10:00\r\n"
                + "D1,again,2026-03-02T11:00\r\n")
        s.file(
            "drop/b.csv",
            "external_id,title,start_time\nD3,third,2026-03-03T09:00\nD2,other,2026-03-03T10:00\n"
                + "\" D2 \",once more,2026-03-03T11:00\nD4,fourth,2026-03-03T12:00\n")
    }

    static let expectedProblems = [
        "D1: external_id: a.csv line 4: \"D1\" is the external_id of a.csv line 2 already: "
            + "the first is kept and synced, this one is skipped (an external_id must be unique in what a job reads)",
        "D2: external_id: b.csv line 3: \"D2\" is the external_id of a.csv line 3 already: "
            + "the first is kept and synced, this one is skipped (an external_id must be unique in what a job reads)",
        "D2: external_id: b.csv line 4: \"D2\" is the external_id of a.csv line 3 already: "
            + "the first is kept and synced, this one is skipped (an external_id must be unique in what a job reads)",
    ]

    @Test(arguments: [1, 2, 5000])
    func laterDuplicatesAreSkippedAcrossPagesAndFiles(pageSize: Int) throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        try seed(s)
        let (page, _) = try readAll(try connector(s, pageSize: pageSize))
        #expect(page.items.map(\.key) == ["D1", "D2", "D3", "D4"])
        #expect(page.items.map { $0.event.title } == ["first", "second", "third", "fourth"])
        #expect(page.problems.map(\.description) == Self.expectedProblems)
    }

    /// Through the engine: the first row of each key is synced with its own fields, every later one
    /// is a reported item problem (a partial run: `almanac run` exits 1), on each run.
    @Test func theEngineSyncsTheFirstRowAndReportsTheLaterOnes() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        try seed(s)
        let r = try DuplicateScenario.run(try connector(s, pageSize: 2), now: instant("2026-03-01T12:00:00Z"))
        #expect(r.mismatches(failures: Self.expectedProblems) == [])
    }

    /// Each page read by a new connector from the token alone (a restarted worker) still knows
    /// the keys the earlier pages listed.
    @Test func aListingResumedFromItsTokenStillSeesEarlierKeys() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        try seed(s)
        var request = ReadRequest(window: wideWindow)
        var keys: [String] = []
        var problems: [String] = []
        var pages = 0
        while true {
            let page = try connector(s, pageSize: 1).read(request)
            pages += 1
            keys += page.items.map(\.key)
            problems += page.problems.map(\.description)
            guard let next = page.continuation else { break }
            request.continuation = next
        }
        #expect(pages == 5)  // the last one empty: a page ends as soon as it is full
        #expect(keys == ["D1", "D2", "D3", "D4"])
        #expect(problems == Self.expectedProblems)
    }

    /// Only listed rows count: a first occurrence outside the window leaves the later one listed.
    @Test func rowsOutsideTheWindowDoNotCount() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        try seed(s)
        let march3 = TimeWindow(start: instant("2026-03-03T06:00:00Z"), end: instant("2026-03-04T06:00:00Z"))
        let (page, _) = try readAll(try connector(s, pageSize: 5000), window: march3)
        #expect(page.items.map(\.key) == ["D3", "D2", "D4"])
        #expect(page.items.map { $0.event.title } == ["third", "other", "fourth"])
        #expect(
            page.problems.map(\.description) == [
                "D2: external_id: b.csv line 4: \"D2\" is the external_id of b.csv line 3 already: "
                    + "the first is kept and synced, this one is skipped (an external_id must be unique in what a job reads)"
            ])
    }

    /// Thousands of keys (the table of listed keys grows several times): each duplicate found, no
    /// false one.
    @Test func manyKeys() throws {
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        try FileManager.default.createDirectory(
            at: s.url.appendingPathComponent("drop"), withIntermediateDirectories: true)
        var text = "external_id,start_time\n"
        for i in 0..<5000 { text += "K\(i),2026-03-02T09:00\n" }
        text += "K0,2026-03-02T09:00\nK4999,2026-03-02T09:00\nK2500,2026-03-02T09:00\n"
        s.file("drop/big.csv", text)
        let (page, _) = try readAll(try connector(s, pageSize: 700))
        #expect(page.items.map(\.key) == (0..<5000).map { "K\($0)" })
        #expect(page.problems.map(\.key) == ["K0", "K4999", "K2500"])
        let first = page.problems.first?.reason ?? ""
        #expect(first.hasPrefix("big.csv line 5002: \"K0\" is the external_id of big.csv line 2 already"))
    }
}
