import Foundation
import Testing

/// A worker that writes garbage on its event pipe: the daemon logs and drops it, and keeps going.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct PipeRobustnessTests {
    @Test func malformedAndOversizedEventsAreDroppedNotFatal() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha", extra: "# almanac-test: garbage")
        try h.start()
        let pid = try h.waitReady("alpha")
        try h.waitUntil("both drops logged", timeout: 5) {
            let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
            return log.contains("dropped a malformed pipe message") && log.contains("dropped an oversized pipe message")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("text=\"{not json\""))
        #expect(log.contains("(1048577 bytes > 1 MiB)"))
        // The stream stays in sync: a later sync still reaches the worker and its result comes back.
        let r = try h.cli(["sync", "alpha", "--wait"])
        #expect(r.out.contains("alpha/main: "), "\(r.out)\(r.err)")
        let s = try #require(try h.status("alpha"))
        #expect(s.pid == pid && s.restarts == 0)
        h.stop()
    }
}
