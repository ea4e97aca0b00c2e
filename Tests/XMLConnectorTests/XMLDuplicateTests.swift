import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

/// One listing lists an external_id once: the first item is kept, later items with its key are problems, skipped.
@Suite struct XMLDuplicateTests {
    func connector(_ s: Scratch, pageSize: Int) throws -> XMLConnector {
        let ctx = fileConnectorContext(
            [
                "path": .string("drop"), "item": .string("/Appointments/Appointment"),
                "fields": .table(ConfigTable(["external_id": .string("@id"), "title": .string("Subject")])),
            ], dir: s.url)
        return XMLConnector(
            settings: try XMLSettings(ctx), side: .from, capabilities: [.read], logger: ctx.logger, pageSize: pageSize)
    }

    static func item(_ id: String, _ title: String, _ start: String) -> String {
        "<Appointment id=\"\(id)\"><Subject>\(title)</Subject><start_time>\(start)</start_time></Appointment>"
    }

    /// a.xml repeats X1 within itself (the second on a line after another item); b.xml repeats X2.
    func seed(_ s: Scratch) throws {
        try FileManager.default.createDirectory(
            at: s.url.appendingPathComponent("drop"), withIntermediateDirectories: true)
        s.file(
            "drop/a.xml",
            "<Appointments>\n  " + Self.item("X1", "first", "2026-03-02T09:00") + "\n  "
                + Self.item("X2", "second", "2026-03-02T10:00") + " " + Self.item("X1", "again", "2026-03-02T11:00")
                + "\n</Appointments>\n")
        s.file(
            "drop/b.xml",
            "<Appointments>\n  " + Self.item("X3", "third", "2026-03-03T09:00") + "\n    "
                + Self.item("X2", "other", "2026-03-03T10:00") + "\n  " + Self.item("X4", "fourth", "2026-03-03T12:00")
                + "\n</Appointments>\n")
    }

    static var expectedProblems: [String] {
        let column = 2 + item("X2", "second", "2026-03-02T10:00").utf8.count + 1 + 1
        return [
            "X1: external_id: a.xml line 3 column \(column): \"X1\" is the external_id of a.xml line 2 already: "
                + "the first is kept and synced, this one is skipped (an external_id must be unique in what a job reads)",
            "X2: external_id: b.xml line 3 column 5: \"X2\" is the external_id of a.xml line 3 already: "
                + "the first is kept and synced, this one is skipped (an external_id must be unique in what a job reads)",
        ]
    }

    /// Through the engine: the first item of each key is synced with its own fields, every later
    /// one is a reported item problem (a partial run: `almanac run` exits 1), on each run.
    @Test func theEngineSyncsTheFirstItemAndReportsTheLaterOnes() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        try seed(s)
        let r = try DuplicateScenario.run(try connector(s, pageSize: 2), now: instant("2026-03-01T12:00:00Z"))
        #expect(r.mismatches(failures: Self.expectedProblems) == [])
    }

    @Test(arguments: [1, 2, 5000])
    func laterDuplicatesAreSkippedAcrossPagesAndFiles(pageSize: Int) throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        try seed(s)
        let (page, _) = try readAll(try connector(s, pageSize: pageSize))
        #expect(page.items.map(\.key) == ["X1", "X2", "X3", "X4"])
        #expect(page.items.map { $0.event.title } == ["first", "second", "third", "fourth"])
        #expect(page.problems.map(\.description) == Self.expectedProblems)
    }

    /// Each page read by a new connector from the token alone still knows the earlier keys.
    @Test func aListingResumedFromItsTokenStillSeesEarlierKeys() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        try seed(s)
        var request = ReadRequest(window: wideWindow)
        var keys: [String] = []
        var problems: [String] = []
        while true {
            let page = try connector(s, pageSize: 1).read(request)
            keys += page.items.map(\.key)
            problems += page.problems.map(\.description)
            guard let next = page.continuation else { break }
            request.continuation = next
        }
        #expect(keys == ["X1", "X2", "X3", "X4"])
        #expect(problems == Self.expectedProblems)
    }
}
