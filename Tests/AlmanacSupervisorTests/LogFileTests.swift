import Foundation
import Glibc
import Testing

@testable import AlmanacSupervisor

@Suite(.timeLimit(.minutes(10)))
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

    /// The file is a FIFO nobody reads: the writer's thread blocks in open(2). Appending must not
    /// block with it; once the queue is full, lines are dropped and the file later says how many.
    @Test func aStuckDiskNeverBlocksAppend() throws {
        let dir = NSTemporaryDirectory() + "almanac-logstuck-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/alpha.log", 0o600) == 0)
        let writer = LogFileWriter(
            directory: dir, rotation: LogRotation(maxBytes: 0), log: LogSink(format: .logfmt), maxPending: 64 << 10)
        let line = "ts=2027-01-15T08:00:00Z level=info msg=\"" + String(repeating: "x", count: 90) + "\""
        let started = monotonicSeconds()
        for _ in 0..<20_000 { writer.append(profile: "alpha", line: line) }
        let took = monotonicSeconds() - started
        #expect(took < 2, "appending 20000 lines took \(took) s")
        #expect(writer.mark < 1_000, "the queue is bounded: \(writer.mark) lines queued")
        #expect(writer.droppedLines(profile: "alpha") == 20_000 - writer.mark, "every line not queued is counted")
        #expect(writer.droppedLines(profile: "beta") == 0)

        let reader = open(dir + "/alpha.log", O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        var seen = ""
        var buf = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(10)
        // Read until the note came and nothing more arrives, so the writer is idle (not in a write
        // that closing the FIFO would turn into SIGPIPE) when the reader closes.
        var quiet = 0
        while Date() < deadline && (!seen.contains("log lines were not written to disk") || quiet < 3) {
            var p = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else {
                quiet += 1
                continue
            }
            quiet = 0
            let n = read(reader, &buf, buf.count)
            if n > 0 { seen += String(decoding: buf[0..<n], as: UTF8.self) }
        }
        #expect(seen.contains(line))
        #expect(seen.contains("log lines were not written to disk: the disk did not keep up"))
        writer.waitWritten(writer.mark, timeout: 5)
        close(reader)
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
