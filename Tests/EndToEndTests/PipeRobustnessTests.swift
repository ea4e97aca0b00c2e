import Foundation
import Testing

/// A worker that writes garbage on its event pipe (lines that are not JSON, of an unknown type or
/// protocol version, over 1 MiB): the daemon logs and drops them, and keeps going.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct PipeRobustnessTests {
    @Test func malformedAndOversizedEventsAreDroppedNotFatal() throws {
        let h = try DaemonHarness()
        h.testWorker = true
        try h.writeProfile("alpha", extra: "# almanac-test: garbage")
        try h.start()
        let pid = try h.waitReady("alpha")
        try h.waitUntil("both drops logged", timeout: 5) {
            let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
            return log.contains("dropped a malformed pipe message") && log.contains("dropped an oversized pipe message")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("text=\"{not json\""))
        // An unknown type and another protocol version are dropped the same way.
        #expect(log.contains(#"text="{\"type\":\"explode\",\"v\":1}""#))
        #expect(log.contains(#"text="{\"state\":\"idle\",\"type\":\"status\",\"v\":2}""#))
        #expect(log.contains("(1048577 bytes > 1 MiB)"))
        // The stream stays in sync: a later sync still reaches the worker and its result comes back.
        let r = try h.cli(["sync", "alpha", "--wait"])
        #expect(r.out.contains("alpha/main: "), "\(r.out)\(r.err)")
        let s = try #require(try h.status("alpha"))
        #expect(s.pid == pid && s.restarts == 0)
        h.stop()
    }
}
