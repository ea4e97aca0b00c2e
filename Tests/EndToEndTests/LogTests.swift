import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// Worker log lines: tagged, kept per profile, followed live, in logfmt or JSON.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct LogTests {
    @Test func logsFollowShowsNewLinesAsTheyCome() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        try h.waitReady("alpha")
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: DaemonHarness.binary)
        follower.arguments = ["logs", "alpha", "--follow", "--tail", "1", "--runtime", h.runtime]
        let out = Pipe()
        follower.standardOutput = out
        try follower.run()
        defer {
            follower.terminate()
            follower.waitUntilExit()
        }
        usleep(300_000)
        #expect(try h.cli(["sync", "alpha"]).code == 0)
        var seen = ""
        let deadline = Date().addingTimeInterval(10)
        let fd = out.fileHandleForReading.fileDescriptor
        var buf = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline && !seen.contains("msg=\"run finished\"") {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 200) > 0 else { continue }
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            seen += String(decoding: buf[0..<n], as: UTF8.self)
        }
        #expect(seen.contains("profile=alpha"))
        #expect(seen.contains("msg=\"run finished\""), "\(seen)")
        h.stop()
    }

    @Test func jsonLogFormatTagsWorkerLines() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start(arguments: ["--log-format", "json"])
        let pid = try h.waitReady("alpha")
        try h.waitUntil("the worker's ready line", timeout: 5) {
            try String(contentsOfFile: h.logPath, encoding: .utf8).contains(
                "\"pid\":\(pid),\"level\":\"info\",\"msg\":\"ready\"")
        }
        let lines = try String(contentsOfFile: h.logPath, encoding: .utf8).split(separator: "\n")
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        #expect(lines.contains { $0.contains("\"profile\":\"alpha\",\"pid\":\(pid)") })
        h.stop()
    }
}
