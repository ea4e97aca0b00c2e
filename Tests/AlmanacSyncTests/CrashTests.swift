import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Kills a real sync process (`almanac-crashtest`, `_exit` at an injected point) before and after
/// each write batch and each state commit of a 1,000-item two-way sync, restarts it, and checks
/// that both sides end exactly as an uninterrupted run leaves them: no duplicate, no loss.
@Suite(.serialized, .timeLimit(.minutes(15)))
struct CrashTests {
    static let job = """
        direction = "two-way"
        apply_back = { create = true, update = true, delete = false }
        """

    static var binary: URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ALMANAC_BIN"].map({ URL(fileURLWithPath: $0).deletingLastPathComponent() }) {
            return dir.appendingPathComponent("almanac-crashtest")
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/debug/almanac-crashtest")
    }

    /// Runs the child; returns its exit status and output.
    static func child(_ dir: URL, _ mode: String, _ n: Int) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = [dir.path, job, mode, String(n)]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// A fresh directory with 1,000 items on `from` and 100 calendar-made items on `to`.
    static func seeded() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-crash-\(UUID().uuidString)")
        let p = Process()
        p.executableURL = binary
        p.arguments = ["seed", dir.path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw AlmanacError(.runError, "almanac-crashtest seed failed") }
        return dir
    }

    static func tool(_ args: [String]) throws {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw AlmanacError(.runError, "almanac-crashtest \(args[0]) failed") }
    }

    static func copy(_ dir: URL) throws -> URL {
        let out = dir.deletingLastPathComponent().appendingPathComponent("almanac-crash-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: dir, to: out)
        return out
    }

    /// What a side holds, as comparable content: one line per live item (duplicates show twice).
    static func contents(_ dir: URL, _ file: String) throws -> [String] {
        let store = try MemoryStore(file: dir.appendingPathComponent(file))
        return store.live.values.map { r in
            let e = r.event
            let start = ContentProjection(fields: [.start]).value(.start, of: e)
            return "\(e.title ?? "")|\(e.location ?? "")|\(start)|\(Set(r.writeBacks).sorted())"
        }.sorted()
    }

    @Test func crashesAtEveryBatchWriteAndCommitNeitherDuplicateNorLose() throws {
        let pristine = try Self.seeded()
        defer { try? FileManager.default.removeItem(at: pristine) }
        let reference = try Self.copy(pristine)
        defer { try? FileManager.default.removeItem(at: reference) }
        let (status, output) = try Self.child(reference, "point", 0)
        #expect(status == 0, "reference run: \(output)")
        let points = Int(output.split(separator: " ").first { $0.hasPrefix("points=") }!.dropFirst(7))!
        let wantFrom = try Self.contents(reference, "from.json")
        let wantTo = try Self.contents(reference, "to.json")
        #expect(wantFrom.count == 1_100 && wantTo.count == 1_100)
        #expect(Set(wantTo).count == 1_100)
        #expect(points >= 80, "fault points in a 1,100-item run: \(points)")

        var crashes = 0
        for n in 1...points {
            let dir = try Self.copy(pristine)
            defer { try? FileManager.default.removeItem(at: dir) }
            let (s1, o1) = try Self.child(dir, "point", n)
            #expect(s1 == 86, "crash at point \(n) did not happen: \(o1)")
            crashes += s1 == 86 ? 1 : 0
            // Every third restart crashes again at the same count (a crash during recovery).
            if n % 3 == 0 { _ = try Self.child(dir, "point", n) }
            let (s3, o3) = try Self.child(dir, "point", 0)
            #expect(s3 == 0, "recovery after point \(n): \(o3)")
            #expect(try Self.contents(dir, "from.json") == wantFrom, "from side after a crash at point \(n)")
            #expect(try Self.contents(dir, "to.json") == wantTo, "to side after a crash at point \(n)")
            if n % 10 == 0 {
                let (s4, o4) = try Self.child(dir, "point", 0)
                #expect(s4 == 0 && o4.contains("to=0 from=0"), "run after recovery from point \(n) changed more: \(o4)")
            }
        }
        #expect(crashes == points)
    }

    /// The second run of a synced pair: moves, deletions, acceptances, declines, calendar edits
    /// and calendar deletions, crashed at every point.
    @Test func crashesDuringARunOfEditsLoseNoEdit() throws {
        let pristine = try Self.seeded()
        defer { try? FileManager.default.removeItem(at: pristine) }
        let (s0, o0) = try Self.child(pristine, "point", 0)
        #expect(s0 == 0, "first sync: \(o0)")
        try Self.tool(["edit", pristine.path])
        let reference = try Self.copy(pristine)
        defer { try? FileManager.default.removeItem(at: reference) }
        let (status, output) = try Self.child(reference, "point", 0)
        #expect(status == 0 && output.contains("to=") && !output.contains("to=0 "), "reference run: \(output)")
        let points = Int(output.split(separator: " ").first { $0.hasPrefix("points=") }!.dropFirst(7))!
        let wantFrom = try Self.contents(reference, "from.json")
        let wantTo = try Self.contents(reference, "to.json")
        #expect(wantFrom.filter { $0.contains("(moved)") }.count == 100)
        #expect(wantFrom.filter { $0.contains("[\"confirmed\"]") }.count == 30)
        #expect(wantFrom.filter { $0.contains("[\"cancelled\"]") }.count == 20)
        #expect(wantTo.count == 1_100 - 50 - 10)
        for n in 1...points {
            let dir = try Self.copy(pristine)
            defer { try? FileManager.default.removeItem(at: dir) }
            let (s1, o1) = try Self.child(dir, "point", n)
            #expect(s1 == 86, "crash at point \(n) did not happen: \(o1)")
            let (s2, o2) = try Self.child(dir, "point", 0)
            #expect(s2 == 0, "recovery after point \(n): \(o2)")
            #expect(try Self.contents(dir, "from.json") == wantFrom, "from side after a crash at point \(n)")
            #expect(try Self.contents(dir, "to.json") == wantTo, "to side after a crash at point \(n)")
        }
    }

    @Test(arguments: [1, 51, 1_001])
    func crashesBetweenItemsOfABatch(_ n: Int) throws {
        let dir = try Self.seeded()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try Self.copy(dir)
        defer { try? FileManager.default.removeItem(at: reference) }
        _ = try Self.child(reference, "point", 0)
        let (s1, o1) = try Self.child(dir, "item", n)
        #expect(s1 == 86, "crash after item \(n) did not happen: \(o1)")
        let (s2, o2) = try Self.child(dir, "point", 0)
        #expect(s2 == 0, "recovery: \(o2)")
        #expect(try Self.contents(dir, "from.json") == Self.contents(reference, "from.json"))
        #expect(try Self.contents(dir, "to.json") == Self.contents(reference, "to.json"))
    }
}
