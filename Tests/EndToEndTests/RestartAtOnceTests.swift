import Foundation
import Glibc
import Testing

/// A rare crash costs no wait: the first restart of a worker that had been up a minute is
/// immediate; a replacement that dies soon after waits for the backoff as before.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RestartAtOnceTests {
    @Test func aWorkerUpForAMinuteIsReplacedAtOnceAndItsReplacementBacksOff() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        let first = try h.waitReady("alpha")
        Thread.sleep(forTimeInterval: 61)
        #expect(try h.status("alpha")?.pid == first)

        var killed = Date()
        kill(first, SIGKILL)
        let second = try h.waitReady("alpha", timeout: 10, notPID: first)
        let atOnce = Date().timeIntervalSince(killed)
        // Under the backoff it was never less than 1 s; the bench measures the release build.
        #expect(atOnce < 0.9, "replaced in \(atOnce) s")

        killed = Date()
        kill(second, SIGKILL)
        try h.waitReady("alpha", timeout: 10, notPID: second)
        let backedOff = Date().timeIntervalSince(killed)
        #expect(backedOff >= 1.0, "replaced in \(backedOff) s")
        #expect(try h.status("alpha")?.restarts == 2)

        let logs = try h.cli(["logs", "alpha"]).out
        #expect(logs.contains("pid=\(first) status=\"signal 9\""), "\(logs)")
        #expect(logs.contains("msg=\"restarting at once\""), "\(logs)")
        #expect(logs.contains("msg=\"restarting in 1."), "\(logs)")
        #expect(h.stop() == 0)
    }
}
