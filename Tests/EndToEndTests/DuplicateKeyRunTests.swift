import Foundation
import Testing

/// `almanac run` on a CSV export listing an external_id twice: the first row is synced, the later
/// one is printed as an item that failed, and the run exits 1 ("left items unsynced").
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DuplicateKeyRunTests {
    @Test func theFirstRowIsSyncedAndTheRunExitsOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-dup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try "external_id,title,start_time\nd1,First,\(start)\nd2,Other,\(start)\nd1,Again,\(start)\n"
            .write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
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
        """.write(to: dir.appendingPathComponent("profiles/dup.toml"), atomically: true, encoding: .utf8)
        let run = try BinaryRunner.run(
            ["run", "dup", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("partial"), "\(run.stdout)")
        #expect(run.stdout.contains("2 created"), "\(run.stdout)")
        #expect(
            run.stdout.contains(
                "d1 (from): external_id: in.csv line 4: \"d1\" is the external_id of in.csv line 2 already: "
                    + "the first is kept and synced"), "\(run.stdout)")
        let out = try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(out.contains(",First,") && out.contains(",Other,") && !out.contains(",Again,"), "\(out)")
    }
}
