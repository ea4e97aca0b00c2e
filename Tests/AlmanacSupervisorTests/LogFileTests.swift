import Foundation
import Testing

@testable import AlmanacSupervisor

@Suite(.timeLimit(.minutes(5)))
struct LogFileUnitTests {
    @Test(arguments: [
        ("10485760", 10_485_760), ("10M", 10 << 20), ("10MiB", 10 << 20), ("512K", 512 << 10), ("1g", 1 << 30),
        ("0", 0), ("2KB", 2_048),
    ])
    func sizesParse(_ text: String, _ bytes: Int) {
        #expect(LogRotation.parseSize(text) == bytes)
    }

    @Test(arguments: ["", "M", "-1", "1.5M", "10X", "ten", "99999999999999999999G"])
    func badSizesDoNot(_ text: String) {
        #expect(LogRotation.parseSize(text) == nil)
    }

    @Test func rotationRenamesOldestFirst() {
        let r = LogRotation(maxBytes: 100, files: 3)
        #expect(r.paths("a.log") == ["a.log", "a.log.1", "a.log.2"])
        #expect(r.renames("a.log").map { [$0.from, $0.to] } == [["a.log.1", "a.log.2"], ["a.log", "a.log.1"]])
        #expect(LogRotation(maxBytes: 100, files: 1).renames("a.log").isEmpty)
        #expect(r.isDue(size: 90, adding: 11))
        #expect(!r.isDue(size: 90, adding: 10))
        #expect(!r.isDue(size: 0, adding: 500), "a line longer than the limit still goes into an empty file")
        #expect(!LogRotation(maxBytes: 0, files: 3).isDue(size: 1 << 40, adding: 1))
    }

    @Test func historyReadsBackwardsAcrossFilesAndChunks() throws {
        let dir = NSTemporaryDirectory() + "almanac-loghistory-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func line(_ i: Int) -> String {
            "ts=\(base.addingTimeInterval(Double(i)).formatted(.iso8601)) level=info msg=\"line \(i)\" pad="
                + String(repeating: "x", count: i % 300)
        }
        // Older lines in a.log.1 (long enough to need several 64 KiB reads), newer ones in a.log.
        try (0..<1_000).map(line).joined(separator: "\n").appending("\n").write(
            toFile: dir + "/a.log.1", atomically: true, encoding: .utf8)
        try (1_000..<1_010).map(line).joined(separator: "\n").write(
            toFile: dir + "/a.log", atomically: true, encoding: .utf8)  // no final newline
        let paths = LogRotation(files: 3).paths(dir + "/a.log")
        #expect(LogHistory.lines(paths, tail: 5, since: nil) == (1_005..<1_010).map(line))
        #expect(LogHistory.lines(paths, tail: 2_000, since: nil) == (0..<1_010).map(line))
        let since = base.addingTimeInterval(995)
        #expect(LogHistory.lines(paths, tail: 2_000, since: since) == (995..<1_010).map(line))
        #expect(LogHistory.lines(paths, tail: 0, since: nil).isEmpty)
        #expect(LogHistory.timestamp(#"{"ts":"2027-01-15T08:00:00Z","level":"info"}"#) != nil)
        #expect(LogHistory.timestamp("no time here") == nil)
    }
}
