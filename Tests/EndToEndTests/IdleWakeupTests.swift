import Foundation
import Testing

/// An idle tree sleeps between heartbeats: a thousand profiles' workers waking once a second each
/// would cost more CPU than their heartbeats. Counted as context switches of every thread of the
/// worker and of the daemon (`/proc/PID/task/*/status`), with heartbeats and rescans a minute apart.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct IdleWakeupTests {
    @Test func anIdleWorkerAndTheDaemonDoNotWakeBetweenHeartbeats() throws {
        let h = try DaemonHarness()
        h.extraArguments = ["--heartbeat-ms", "60000", "--stop-timeout-ms", "3000", "--rescan-ms", "60000"]
        try h.writeProfile("alpha")
        try h.start()
        let worker = try h.waitReady("alpha")
        let daemon = try #require(h.daemon).processIdentifier
        Thread.sleep(forTimeInterval: 3)  // the daemon drops its request code 2 s after the last request

        let before = (worker: switches(worker), daemon: switches(daemon))
        Thread.sleep(forTimeInterval: 5)
        let after = (worker: switches(worker), daemon: switches(daemon))
        #expect(after.worker - before.worker <= 1, "the idle worker woke \(after.worker - before.worker) times in 5 s")
        #expect(after.daemon - before.daemon <= 1, "the idle daemon woke \(after.daemon - before.daemon) times in 5 s")
        #expect(h.stop() == 0)
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
