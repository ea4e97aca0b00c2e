import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// Each profile's log lines on disk (`STATE/logs/NAME.log`): they outlive the daemon, rotate at
/// the configured size, are reopened on SIGUSR1, and `almanac logs --since` filters them.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LogFileTests {
    private func logFile(_ h: DaemonHarness, _ suffix: String = "") -> String { h.state + "/logs/alpha.log" + suffix }

    private func count(_ text: String, _ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func linesSurviveADaemonRestart() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        let first = try h.waitReady("alpha")
        _ = try h.cli(["sync", "alpha", "--wait"])
        #expect(h.stop() == 0)
        try h.start()
        let second = try h.waitReady("alpha", notPID: first)
        let logs = try h.cli(["logs", "alpha", "--tail", "1000"])
        #expect(logs.code == 0, "\(logs.err)")
        #expect(logs.out.contains("pid=\(first) level=info msg=ready"), "\(logs.out)")
        #expect(logs.out.contains("msg=\"run finished\""))
        #expect(logs.out.contains("pid=\(second) level=info msg=ready"))
        let onDisk = try String(contentsOfFile: logFile(h), encoding: .utf8)
        #expect(onDisk.contains("pid=\(first) level=info msg=ready"))
        // --follow starts from the lines held in memory, filled from the files at start-up.
        let follow = try h.following(["logs", "alpha", "--follow", "--tail", "1000"], until: "msg=\"run finished\"")
        #expect(follow.contains("pid=\(first) level=info msg=ready"), "\(follow)")
        #expect(h.stop() == 0)
    }

    @Test func rotationKeepsTheConfiguredNumberOfFiles() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start(arguments: ["--log-file-max-size", "2K", "--log-files", "3"])
        try h.waitReady("alpha")
        for _ in 0..<15 { _ = try h.cli(["sync", "alpha", "--wait"]) }
        try h.waitUntil("two rotations", timeout: 10) { FileManager.default.fileExists(atPath: logFile(h, ".2")) }
        #expect(!FileManager.default.fileExists(atPath: logFile(h, ".3")))
        for suffix in ["", ".1", ".2"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: logFile(h, suffix))[.size] as? Int) ?? -1
            #expect((0...2_048).contains(size), "alpha.log\(suffix): \(size) bytes")
        }
        // The last run's lines may still be on their way: wait until the files stop changing.
        func files() throws -> [String] {
            try ["", ".1", ".2"].map { try String(contentsOfFile: logFile(h, $0), encoding: .utf8) }
        }
        var onDisk = try files()
        try h.waitUntil("the files settle", timeout: 10) {
            usleep(300_000)
            let now = try files()
            defer { onDisk = now }
            return now == onDisk && now[0].hasSuffix("\n") && now[0].contains("msg=\"run finished\"")
        }
        let logs = try h.cli(["logs", "alpha", "--tail", "1000", "--json"])
        let lines = try Wire.decoder().decode(LogLines.self, from: Data(logs.out.utf8)).lines
        #expect(lines.count == onDisk.map { count($0, "\n") }.reduce(0, +))
        #expect(lines.joined(separator: "\n") + "\n" == onDisk.reversed().joined(), "oldest file first, in order")
        #expect(h.stop() == 0)
    }

    @Test func sigusr1AfterAMoveOpensANewFile() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        try h.waitReady("alpha")
        _ = try h.cli(["sync", "alpha", "--wait"])
        try h.waitUntil("the run is on disk", timeout: 10) {
            try String(contentsOfFile: logFile(h), encoding: .utf8).contains("msg=\"run finished\"")
        }
        #expect(rename(logFile(h), logFile(h, ".moved")) == 0)
        kill(try #require(h.daemon).processIdentifier, SIGUSR1)
        try h.waitUntil("the daemon reopens", timeout: 10) {
            try String(contentsOfFile: h.logPath, encoding: .utf8).contains("SIGUSR1: reopening")
        }
        let moved = try String(contentsOfFile: logFile(h, ".moved"), encoding: .utf8)
        _ = try h.cli(["sync", "alpha", "--wait"])
        try h.waitUntil("a new file with the next run", timeout: 10) {
            try String(contentsOfFile: logFile(h), encoding: .utf8).contains("msg=\"run finished\"")
        }
        #expect(try String(contentsOfFile: logFile(h, ".moved"), encoding: .utf8) == moved)
        #expect(h.stop() == 0)
    }

    @Test func sinceFiltersByTime() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        try h.waitReady("alpha")
        _ = try h.cli(["sync", "alpha", "--wait"])
        // The lines' times have whole seconds: start the second run in a later second than the first.
        let cut = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 1).rounded(.up))
        usleep(UInt32(max(0, cut.timeIntervalSinceNow) * 1_000_000) + 50_000)
        _ = try h.cli(["sync", "alpha", "--wait"])
        try h.waitUntil("both runs are on disk", timeout: 10) {
            count(try String(contentsOfFile: logFile(h), encoding: .utf8), "msg=\"run finished\"") == 2
        }

        let since = try h.cli(["logs", "alpha", "--tail", "1000", "--since", cut.formatted(.iso8601)])
        #expect(since.code == 0, "\(since.err)")
        #expect(count(since.out, "msg=\"run finished\"") == 1, "\(since.out)")
        for line in since.out.split(separator: "\n") {
            let ts = try #require(line.split(separator: " ").first?.dropFirst(3))
            #expect(try Date(String(ts), strategy: .iso8601) >= cut, "\(line)")
        }
        let followed = try h.following(
            ["logs", "alpha", "--follow", "--tail", "1000", "--since", cut.formatted(.iso8601)],
            until: "msg=\"run finished\"")
        #expect(count(followed, "msg=\"run finished\"") == 1, "\(followed)")
        #expect(!followed.contains("msg=\"worker started\""), "the worker started before the cut: \(followed)")
        let age = try h.cli(["logs", "alpha", "--tail", "1000", "--since", "1h"])
        #expect(count(age.out, "msg=\"run finished\"") == 2, "\(age.out)")
        let none = try h.cli(["logs", "alpha", "--since", "2099-01-01T00:00:00Z"])
        #expect(none.code == 0 && none.out.isEmpty, "\(none.out)")

        let bad = try h.cli(["logs", "alpha", "--since", "yesterday"])
        #expect(bad.code == 64)
        #expect(bad.err.contains("--since takes an RFC 3339 time like 2026-12-03T05:00:00Z or an age like 10m, 2h, 1d"))
        let api = try h.client().request("GET", "/v1/profiles/alpha/logs?since=soon")
        #expect(api.status == 400)
        #expect(String(decoding: api.body, as: UTF8.self).contains("since takes an RFC 3339 time"))
        #expect(h.stop() == 0)
    }
}

extension DaemonHarness {
    /// Runs a CLI command that does not end by itself (`logs --follow`), then `action`; returns its
    /// output once it contains `needle` (or after 10 s).
    func following(_ arguments: [String], until needle: String, after action: () throws -> Void = {}) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: DaemonHarness.binary)
        p.arguments = arguments + ["--runtime", runtime]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer {
            p.terminate()
            p.waitUntilExit()
        }
        try action()
        var seen = ""
        let deadline = Date().addingTimeInterval(10)
        let fd = out.fileHandleForReading.fileDescriptor
        var buf = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline && !seen.contains(needle) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            seen += String(decoding: buf[0..<n], as: UTF8.self)
        }
        return seen
    }
}
