import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// A first link killed at every fault point (`almanac-crashtest`, `_exit` before and after each
/// write batch and state commit): the restarted run ends with what an uninterrupted one leaves,
/// so links committed by an earlier batch never turn the rest of the matches into creates.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FirstLinkCrashTests {
    /// 300 appointments on `from`; half of them already on `to` under other keys (titles in
    /// capitals), and 5 pairs of `from` appointments sharing a start and title with one on `to`.
    static func seeded() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-flcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let now = Date(timeIntervalSince1970: 1_899_158_400)  // almanac-crashtest's "now"
        func event(_ title: String, _ hour: Int) -> Event {
            let start = now.addingTimeInterval(Double(hour) * 3_600)
            return Event(
                title: title, start: .instant(start, timeZone: "America/Chicago"),
                end: .instant(start.addingTimeInterval(1_800), timeZone: "America/Chicago"))
        }
        let from = try MemoryStore(file: dir.appendingPathComponent("from.json"))
        let to = try MemoryStore(file: dir.appendingPathComponent("to.json"))
        for i in 0..<300 {
            try from.put(event("Visit \(i)", i + 1), key: "a\(i)")
            if i % 2 == 0 { try to.put(event("VISIT \(i)", i + 1), key: "t\(i)") }
        }
        for j in 0..<5 {
            try from.put(event("Double \(j)", 400 + j), key: "d\(j)x0")
            try from.put(event("Double \(j)", 400 + j), key: "d\(j)x1")
            try to.put(event("double \(j)", 400 + j), key: "u\(j)")
        }
        try from.persist()
        try to.persist()
        return dir
    }

    static func child(_ dir: URL, _ n: Int) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = CrashTests.binary
        p.arguments = [dir.path, "", "point", String(n)]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    @Test func aFirstLinkKilledAtAnyPointEndsWithoutDuplicates() throws {
        let pristine = try Self.seeded()
        defer { try? FileManager.default.removeItem(at: pristine) }
        let reference = try CrashTests.copy(pristine)
        defer { try? FileManager.default.removeItem(at: reference) }
        let (status, output) = try Self.child(reference, 0)
        #expect(status == 0, "reference run: \(output)")
        let points = Int(output.split(separator: " ").first { $0.hasPrefix("points=") }!.dropFirst(7))!
        let want = try CrashTests.contents(reference, "to.json")
        #expect(want.count == 300 + 5)
        #expect(Set(want).count == 300 + 5)
        #expect(want.filter { $0.hasPrefix("VISIT") }.isEmpty)  // linked and brought to from's title
        #expect(points >= 20, "fault points: \(points)")
        for n in 1...points {
            let dir = try CrashTests.copy(pristine)
            defer { try? FileManager.default.removeItem(at: dir) }
            let (s1, o1) = try Self.child(dir, n)
            #expect(s1 == 86, "crash at point \(n) did not happen: \(o1)")
            let (s2, o2) = try Self.child(dir, 0)
            #expect(s2 == 0, "recovery after point \(n): \(o2)")
            #expect(try CrashTests.contents(dir, "to.json") == want, "to side after a crash at point \(n)")
        }
    }
}
