import Foundation
import Testing

/// An idle tree sleeps between heartbeats: a thousand profiles' workers waking once a second each
/// would cost more CPU than their heartbeats. Counted as context switches of every thread of the
/// worker and of the daemon (`/proc/PID/task/*/status`), with heartbeats and rescans a minute apart.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct IdleWakeupTests {
    @Test func anIdleWorkerAndTheDaemonDoNotWakeBetweenHeartbeats() throws {
        let (h, worker) = try startAlpha(heartbeatMs: 60_000)
        let daemon = try #require(h.daemon).processIdentifier
        Thread.sleep(forTimeInterval: 3)  // the daemon drops its request code 2 s after the last request

        let before = (worker: switches(worker), daemon: switches(daemon))
        Thread.sleep(forTimeInterval: 5)
        let after = (worker: switches(worker), daemon: switches(daemon))
        #expect(after.worker - before.worker <= 1, "the idle worker woke \(after.worker - before.worker) times in 5 s")
        #expect(after.daemon - before.daemon <= 1, "the idle daemon woke \(after.daemon - before.daemon) times in 5 s")
        #expect(h.stop() == 0)
    }

    /// An idle worker beats every idle interval (3 × the heartbeat interval), not every heartbeat
    /// interval, and is not taken for hung: 300 ms heartbeats make 900 ms idle ones, about 6 wake-ups
    /// in 5 s instead of 17; the daemon allows 2.7 s of silence from an idle worker, not 0.9 s.
    @Test func anIdleWorkerBeatsAtTheIdleInterval() throws {
        let (h, worker) = try startAlpha(heartbeatMs: 300)
        try h.waitUntil("alpha idle", timeout: 5) { try h.status("alpha")?.state == "idle" }
        Thread.sleep(forTimeInterval: 3)  // past the two heartbeats after start-up that release pages

        let before = switches(worker)
        Thread.sleep(forTimeInterval: 5)
        let woke = switches(worker) - before
        // Involuntary switches count too: a loaded test pool adds a few (11 seen); beating at
        // every 300 ms heartbeat would make about 17.
        #expect((3...13).contains(woke), "the idle worker woke \(woke) times in 5 s")
        let s = try #require(try h.status("alpha"))
        #expect(s.pid == worker && s.restarts == 0 && s.state == "idle")
        #expect(h.stop() == 0)
    }

    /// A daemon with heartbeats `heartbeatMs` apart and rescans a minute apart, running one profile,
    /// `alpha`: the harness and the ready worker's pid.
    private func startAlpha(heartbeatMs: Int) throws -> (DaemonHarness, Int32) {
        let h = try DaemonHarness()
        h.extraArguments = ["--heartbeat-ms", "\(heartbeatMs)", "--stop-timeout-ms", "3000", "--rescan-ms", "60000"]
        try h.writeProfile("alpha")
        try h.start()
        return (h, try h.waitReady("alpha"))
    }

    /// Voluntary and involuntary context switches of every thread of `pid`.
    private func switches(_ pid: Int32) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var total = 0
        for t in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/status", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n")
            where line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") {
                total += Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
            }
        }
        return total
    }
}
