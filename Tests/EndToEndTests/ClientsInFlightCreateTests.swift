import AlmanacTestKit
import AlmanacWire
import FakeCalendars
import Foundation
import Testing

/// A create that a killed run left in flight and that the service applies only after the next
/// run has listed the account (Google's People API has no client-chosen ids: such a contact is
/// found again only by its origin stamp, once it exists). In `ClientsEndToEndTests`, so that it
/// runs in make test's long pass.
extension ClientsEndToEndTests {
    @Test func aCreateLeftInFlightByAKilledRunIsNotMadeAgainByTheNextRun() throws {
        let dir = TempDirectory("in-flight-create")
        let run = try SeededRun(dir, faults: FaultPolicy(rate: 0, slowDelay: 10))
        defer { run.server.stop() }
        let (people, count, arguments, environment) = (run.people, run.count, run.arguments, run.environment)

        // The first two creates are answered 10 s late: the run is killed 3 s after the first
        // answer, while the second is on its way, and the next run starts at once.
        run.server.injectOnce(.slow, pathPrefix: "/v1/people:batchCreateContacts")
        run.server.injectOnce(.slow, pathPrefix: "/v1/people:batchCreateContacts")
        let p = try run.start()
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && run.creates() == 0 && Date() < deadline { usleep(20_000) }
        usleep(3_000_000)
        #expect(p.isRunning, "the run ended before the kill")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let atKill = people.contacts().count

        let next = try BinaryRunner.run(arguments, environment: environment)
        // The late create lands 10 s after it was sent.
        let landed = Date().addingTimeInterval(30)
        while people.contacts().count < count && Date() < landed { usleep(100_000) }
        let afterNext = people.contacts().count
        let last = try BinaryRunner.run(arguments, environment: environment)
        let contacts = people.contacts()
        let stamps = Self.stamps(contacts)
        #expect(
            contacts.count == count,
            "\(contacts.count) contacts (\(atKill) at the kill, \(afterNext) after the next run)")
        #expect(Set(stamps).count == count && stamps.count == count, "\(Set(stamps).count) stamps of \(stamps.count)")
        // The next run did not send the 200 creates on their way: it held them, said why, and is
        // retried soon; the one after found them by their stamps.
        #expect(next.status == 1, "\(next.stdout)\(next.stderr)")
        #expect(next.stdout.contains("to: 4600 created, 200 failed"), "\(next.stdout)")
        #expect(
            next.stdout.contains("by an attempt that saw no answer, and it may still land: not sent again before"),
            "\(next.stdout)")
        #expect(last.status == 0, "\(last.stdout)\(last.stderr)")
        #expect(last.stdout.contains("200 linked"), "\(last.stdout)")
        #expect(atKill == 200 && afterNext == count, "\(atKill) at the kill, \(afterNext) after the next run")
    }

    /// The same through the daemon, whose worker retries a run with held creates at the moment
    /// they may be sent: the connection's `timeout` (15 s here) sets the window (twice it), and
    /// the retry, not the schedule's next run, finds the late contacts by their stamps.
    @Test func theDaemonsWorkerRetriesHeldCreatesWhenTheirWindowEnds() throws {
        let dir = TempDirectory("in-flight-daemon")
        let run = try SeededRun(dir, faults: FaultPolicy(rate: 0, slowDelay: 10), timeout: "15s")
        defer { run.server.stop() }
        // No jitter: the new worker starts the unfinished initial sync at once.
        let profile = try String(contentsOfFile: dir.path + "/profiles/clients.toml", encoding: .utf8)
        #expect(profile.contains(#"jitter = "5s""#))
        let daemon = try DaemonHarness()
        try daemon.write("clients.toml", profile.replacingOccurrences(of: #"jitter = "5s""#, with: ""))
        run.server.injectOnce(.slow, pathPrefix: "/v1/people:batchCreateContacts")
        run.server.injectOnce(.slow, pathPrefix: "/v1/people:batchCreateContacts")
        try daemon.start(environment: run.environment)
        defer { daemon.stop() }
        let first = try daemon.waitReady("clients", timeout: 30)
        try daemon.waitUntil("the first create answered", timeout: 120) { run.creates() > 0 }
        usleep(2_000_000)
        kill(first, SIGKILL)
        _ = try daemon.waitReady("clients", timeout: 30, notPID: first)

        // The new worker's run holds the 200 creates still on their way, and says when it retries.
        var held: RunSummary?
        try daemon.waitUntil("the run that holds the late creates", timeout: 120) {
            guard let run = try daemon.status("clients")?.lastRun, run.result == "partial" else { return false }
            held = run
            return true
        }
        let partial = try #require(held)
        #expect(partial.to.created == 4_600 && partial.to.failed == 200, "\(partial.to)")
        let log = try String(contentsOfFile: daemon.logPath, encoding: .utf8)
        let retrying = try #require(
            log.split(separator: "\n").last { $0.contains("retrying") && $0.contains(partial.runID) },
            "no retry announced:\n\(log.suffix(2_000))")
        let delay = try #require(
            retrying.split(separator: " ").first { $0.hasPrefix("in=") }.flatMap { Int($0.dropFirst(3).dropLast()) })
        // Sent about 2 s before the kill, held until 30 s after: not the 30 s of the first backoff.
        #expect(delay >= 5 && delay < 30, "\(retrying)")

        try daemon.waitUntil("the retry", timeout: 60) {
            try daemon.status("clients")?.lastRun?.runID != partial.runID
        }
        let retry = try #require(try daemon.status("clients")?.lastRun)
        #expect(retry.trigger == "retry" && retry.result == "success" && retry.to.created == 0, "\(retry)")
        let waited = try #require(retry.started).timeIntervalSince(partial.finished)
        #expect(abs(waited - Double(delay)) < 3, "retried \(waited) s after the held run, announced \(delay) s")
        let contacts = run.people.contacts()
        let stamps = Self.stamps(contacts)
        #expect(
            contacts.count == run.count && Set(stamps).count == run.count,
            "\(contacts.count) contacts, \(Set(stamps).count) stamps")
    }
}
