import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// Worker log lines: tagged, kept per profile, followed live, in logfmt or JSON.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LogTests {
    @Test func logsFollowShowsNewLinesAsTheyCome() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        try h.waitReady("alpha")
        let seen = try h.following(["logs", "alpha", "--follow", "--tail", "1"], until: "msg=\"run finished\"") {
            usleep(300_000)
            let sync = try h.cli(["sync", "alpha"])
            #expect(sync.code == 0)
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
