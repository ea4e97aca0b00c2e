import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// The daemon's process model with real processes: file drops, edits, kills, restarts.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct SupervisorLifecycleTests {
    @Test func droppedFileStartsWithinTwoSecondsAndAnEditRestartsOnlyThatWorker() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.writeProfile("beta")
        try h.start()
        let alpha = try h.waitReady("alpha")
        let beta = try h.waitReady("beta")

        let dropped = Date()
        try h.writeProfile("gamma")
        let gamma = try h.waitReady("gamma", timeout: 2)
        #expect(Date().timeIntervalSince(dropped) < 2)

        try h.writeProfile("alpha", extra: "# edited")
        let alpha2 = try h.waitReady("alpha", notPID: alpha)
        #expect(alpha2 != alpha)
        #expect(!isAlive(alpha) && !isZombie(alpha))
        let after = try h.statuses()
        #expect(after["beta"]?.pid == beta)
        #expect(after["gamma"]?.pid == gamma)
        #expect(h.stop() == 0)
    }

    @Test func editorTemporariesAndBadNamesStartNothing() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        try h.waitReady("alpha")
        try "x".write(toFile: h.profiles + "/.alpha.toml.swp", atomically: false, encoding: .utf8)
        try "x".write(toFile: h.profiles + "/alpha.toml~", atomically: false, encoding: .utf8)
        try h.write("bad-name.toml", "timezone = \"UTC\"\n")
        usleep(1_500_000)
        #expect(try h.statuses().keys.sorted() == ["alpha"])
        #expect(try String(contentsOfFile: h.logPath, encoding: .utf8).contains("not a profile name"))
        h.stop()
    }

    @Test func invalidEditKeepsTheWorkerAndDeletingTheFileStopsIt() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        let pid = try h.waitReady("alpha")

        try h.writeProfile("alpha", extra: "colour = \"blue\"")
        try h.waitUntil("config_error shown", timeout: 5) { try h.status("alpha")?.configError != nil }
        let s = try #require(try h.status("alpha"))
        #expect(s.pid == pid)
        #expect(["ready", "idle"].contains(s.state))
        #expect(s.configError?.first?.contains("colour") == true)
        let cli = try h.cli(["status"])
        #expect(cli.code == 0)
        #expect(cli.out.contains("alpha: config error:"))

        try h.remove("alpha.toml")
        try h.waitUntil("alpha removed", timeout: 5) { try h.status("alpha") == nil }
        try h.waitUntil("worker gone", timeout: 2) { !isAlive(pid) && !isZombie(pid) }
        h.stop()
    }

    @Test func killedWorkerIsReplacedWithinTwoSecondsAndOthersAreUntouched() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.writeProfile("beta")
        try h.start()
        let alpha = try h.waitReady("alpha")
        let beta = try h.waitReady("beta")
        let killed = Date()
        kill(alpha, SIGKILL)
        let alpha2 = try h.waitReady("alpha", timeout: 2, notPID: alpha)
        #expect(Date().timeIntervalSince(killed) < 2)
        #expect(alpha2 != alpha)
        #expect(!isZombie(alpha) && !isAlive(alpha))
        let s = try h.statuses()
        #expect(s["alpha"]?.restarts == 1)
        #expect(s["beta"]?.pid == beta && s["beta"]?.restarts == 0)
        h.stop()
    }

    @Test func exitCode78IsNotRestartedUntilTheFileChanges() throws {
        let h = try DaemonHarness()
        h.testWorker = true
        try h.writeProfile("alpha", extra: "# almanac-test: exit=78")
        try h.start()
        try h.waitUntil("alpha invalid", timeout: 5) { try h.status("alpha")?.state == "invalid" }
        usleep(2_500_000)
        let s = try #require(try h.status("alpha"))
        #expect(s.state == "invalid")
        #expect(s.pid == nil)
        #expect(s.restarts == 0)
        #expect(
            try String(contentsOfFile: h.logPath, encoding: .utf8).components(separatedBy: "msg=\"worker started\"")
                .count == 2)

        try h.writeProfile("alpha")
        try h.waitReady("alpha", timeout: 5)
        h.stop()
    }

    @Test func disableSurvivesADaemonRestart() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.writeProfile("beta")
        try h.start()
        let pid = try h.waitReady("alpha")
        try h.waitReady("beta")
        let r = try h.cli(["disable", "alpha"])
        #expect(r.code == 0, "\(r.err)")
        try h.waitUntil("alpha disabled", timeout: 5) { try h.status("alpha")?.state == "disabled" }
        #expect(!isAlive(pid))
        #expect(h.stop() == 0)

        try h.start()
        try h.waitReady("beta")
        let s = try #require(try h.status("alpha"))
        #expect(s.state == "disabled" && s.pid == nil && !s.enabled)
        #expect(try h.cli(["status", "alpha"]).code == 3)

        #expect(try h.cli(["enable", "alpha"]).code == 0)
        try h.waitReady("alpha")
        h.stop()
    }

    @Test func anEnableWhileTheDisableIsStillStoppingTheWorkerStartsItAgain() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        var pid = try h.waitReady("alpha")
        for _ in 0..<5 {
            // Back to back on one connection each, so the enable arrives while the worker is stopping.
            #expect(try h.client().request("POST", "/v1/profiles/alpha/disable").status == 200)
            #expect(try h.client().request("POST", "/v1/profiles/alpha/enable").status == 200)
            pid = try h.waitReady("alpha", timeout: 5, notPID: pid)
            #expect(try h.status("alpha")?.enabled == true)
        }
        h.stop()
    }

    @Test func sigtermStopsEveryWorkerAndLeavesNoZombie() throws {
        let h = try DaemonHarness()
        for n in ["alpha", "beta", "gamma"] { try h.writeProfile(n) }
        try h.start()
        let pids = try ["alpha", "beta", "gamma"].map { try h.waitReady($0) }
        let socket = h.runtime + "/almanac.sock"
        #expect(h.stop(signal: SIGTERM) == 0)
        for p in pids { #expect(!isAlive(p) && !isZombie(p), "worker \(p) left behind") }
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func killingTheDaemonMakesItsWorkersExitWithinTwoSeconds() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.writeProfile("beta")
        try h.start()
        let pids = try ["alpha", "beta"].map { try h.waitReady($0) }
        h.stop(signal: SIGKILL)
        try h.waitUntil("workers exited", timeout: 2) { pids.allSatisfy { !isAlive($0) } }
    }

    @Test func aWorkerWhoseHeartbeatStopsIsKilledAndRestarted() throws {
        let h = try DaemonHarness()
        h.extraArguments = ["--heartbeat-ms", "400", "--stop-timeout-ms", "2000"]
        h.testWorker = true
        try h.writeProfile("alpha", extra: "# almanac-test: hang")
        try h.writeProfile("beta")
        try h.start()
        let pid = try h.waitReady("alpha")
        try h.waitUntil("alpha restarted", timeout: 6) { (try h.status("alpha")?.restarts ?? 0) >= 1 }
        #expect(!isAlive(pid))
        #expect(try String(contentsOfFile: h.logPath, encoding: .utf8).contains("no heartbeat for"))
        #expect(try h.status("beta")?.restarts == 0)
        h.stop()
    }
}

/// Jobs run on their schedule without being asked.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ScheduleTests {
    @Test func anEveryScheduleRunsAtStartupAndShowsTheNextRun() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha", schedule: "every = \"1h\"\njitter = \"0s\"")
        try h.start()
        try h.waitReady("alpha")
        try h.waitUntil("the start-up run finished", timeout: 10) { try h.status("alpha")?.lastRun != nil }
        let s = try #require(try h.status("alpha"))
        #expect(s.lastRun?.trigger == "startup")
        let next = try #require(s.nextRun)
        #expect(abs(next.timeIntervalSinceNow - 3_600) < 120)
        h.stop()
    }
}
