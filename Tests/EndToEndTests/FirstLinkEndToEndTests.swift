import Foundation
import Testing

/// The first run of a job onto a target that already holds the appointments (issue 19): CSV →
/// CSV where both files hold the same two appointments under different keys ends with two rows
/// on the target, not four; `--dry-run` lists the links first.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FirstLinkEndToEndTests {
    static let header = "external_id,title,start_time,end_time\n"

    /// A directory with `profiles/first.toml` (CSV `in.csv` → CSV `out.csv`, `jobLines` added to
    /// the job), the source's two rows and the target's two rows (same starts and titles, other
    /// keys, titles differing in case and white space only).
    static func setUp(jobLines: String = "") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-first-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try """
        timezone = "UTC"
        [connections.src]
        connector = "csv"
        path = "\(dir.path)/in.csv"
        [connections.dst]
        connector = "csv"
        path = "\(dir.path)/out.csv"
        [[jobs]]
        name = "main"
        from = "src"
        to = "dst"
        \(jobLines)
        """.write(to: dir.appendingPathComponent("profiles/first.toml"), atomically: true, encoding: .utf8)
        try (header + "a1,Checkup  Ann,\(time(26)),\(time(27))\na2,Cleaning,\(time(50)),\(time(51))\n")
            .write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        try (header + "t1,checkup ann ,\(time(26)),\(time(27))\nt2,CLEANING,\(time(50)),\(time(51))\n")
            .write(to: dir.appendingPathComponent("out.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Whole hours from a fixed day in the window, in UTC.
    static let day = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    static func time(_ hours: Int) -> String {
        ISO8601DateFormatter().string(from: day.addingTimeInterval(Double(hours) * 3_600))
    }

    static func run(_ dir: URL, _ extra: [String] = []) throws -> BinaryRunner.Output {
        try BinaryRunner.run(
            ["run", "first", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"] + extra)
    }

    static func rows(_ dir: URL) throws -> [String] {
        let text = try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map(String.init)
    }

    @Test func twoRowsOnEachSideStayTwoOnTheTarget() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dry = try Self.run(dir, ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        #expect(dry.stdout.contains("  link    -     a1  matched on start_time, title with t1"), "\(dry.stdout)")
        #expect(dry.stdout.contains("  link    -     a2  matched on start_time, title with t2"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("create"), "\(dry.stdout)")

        let first = try Self.run(dir)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("2 linked"), "\(first.stdout)")
        let afterFirst = try Self.rows(dir)
        #expect(afterFirst.count == 2, "\(afterFirst)")
        let second = try Self.run(dir)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let afterSecond = try Self.rows(dir)
        #expect(afterSecond.count == 2, "\(afterSecond)")
    }

    /// Two rows of the source share a start and title with one row of the target: reported (in
    /// `--json` too), neither linked nor created; the target keeps its rows.
    @Test func anAmbiguousMatchIsReportedAndNothingIsCreated() throws {
        let dir = try Self.setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        try
            (Self.header
            + "a1,Checkup  Ann,\(Self.time(26)),\(Self.time(27))\na3,checkup ann,\(Self.time(26)),\(Self.time(27))\n"
            + "a2,Cleaning,\(Self.time(50)),\(Self.time(51))\n")
            .write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let dry = try Self.run(dir, ["--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
        let plan = object?["plan"] as? [String]
        #expect(
            plan == [
                "ambiguous -     a1, a3  same start_time, title as t1 on to: not linked, not created",
                "update  to    a2  changed in from",
                "link    -     a2  matched on start_time, title with t2",
            ], "\(dry.stdout)")
        let report = object?["report"] as? [String: Any]
        #expect(report?["ambiguous"] as? [[String: [String]]] == [["from": ["a1", "a3"], "to": ["t1"]]])
        #expect(report?["linked"] as? Int == 1)

        let run = try Self.run(dir)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasSuffix("; 1 linked; 1 ambiguous\n  ambiguous a1, a3 (from) ~ t1 (to)\n"), "\(run.stdout)")
        let rows = try Self.rows(dir)
        #expect(rows.count == 2, "\(rows)")
    }

    @Test func checkRejectsAnUnknownMatchField() throws {
        let dir = try Self.setUp(jobLines: "match = [\"start_time\", \"titel\"]")
        defer { try? FileManager.default.removeItem(at: dir) }
        let check = try BinaryRunner.run(["check", dir.path + "/profiles/first.toml"])
        #expect(check.status == 78, "\(check.stdout)\(check.stderr)")
        #expect(
            (check.stdout + check.stderr).contains(
                "first.toml: jobs[0].match[1]: unknown field \"titel\"; fields: start_time, end_time, title,"),
            "\(check.stdout)\(check.stderr)")
        let run = try Self.run(dir)
        #expect(run.status == 78)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/state/first.sqlite"))
    }
}
