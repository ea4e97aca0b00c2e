import Foundation
import Testing

/// The first run of a job onto a target that already holds the appointments (issue 19): CSV →
/// CSV where both files hold the same two appointments under different keys ends with two rows
/// on the target, not four; `--dry-run` lists the links first.
@Suite(.serialized, .timeLimit(.minutes(5)))
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
}
