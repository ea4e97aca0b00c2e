import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// The schedule goes on from the last run in the state file: a daemon start is not a run, and
/// the runs that are due when it starts are spread over the jitter window.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ScheduleContinuityTests {
    /// Gives `name` a state file whose run history holds one run of job `main` that started at
    /// `started`: a copy of `template` with the run's times (column and report) moved.
    static func seed(_ h: DaemonHarness, _ name: String, from template: String, started: Date) throws {
        let db = h.state + "/\(name).sqlite"
        try FileManager.default.copyItem(atPath: template, toPath: db)
        let iso = ISO8601DateFormatter()
        let s = started.timeIntervalSince1970.rounded()
        _ = try DemoWriteBackTests.sqlite(
            db,
            """
            UPDATE runs SET started = \(s), finished = \(s + 1),
              report = json_set(report, '$.started', '\(iso.string(from: Date(timeIntervalSince1970: s)))',
                                '$.finished', '\(iso.string(from: Date(timeIntervalSince1970: s + 1)))',
                                '$.profile', '\(name)')
            """)
    }

    @Test func fiftyProfilesThatRanTenMinutesAgoDoNotSyncAtADaemonStart() throws {
        let h = try DaemonHarness()
        let steady = (0..<50).map { String(format: "p%02d", $0) }
        let due = (0..<5).map { "d\($0)" }
        for name in steady + due {
            try "external_id,title,start_time\n".write(
                toFile: h.root + "/\(name)-in.csv", atomically: true, encoding: .utf8)
            try "external_id,title,start_time\n".write(
                toFile: h.root + "/\(name)-out.csv", atomically: true, encoding: .utf8)
            try h.writeProfile(
                name, schedule: due.contains(name) ? "every = \"1h\"\njitter = \"10m\"" : "every = \"1h\"")
        }
        // One real run makes a state file; every profile gets a copy with its own last run.
        let run = try h.cli(["run", "p00", "--profiles", h.profiles, "--state", h.state], runtimeOption: false)
        #expect(run.code == 0, "\(run.out)\(run.err)")
        _ = try DemoWriteBackTests.sqlite(h.state + "/p00.sqlite", "PRAGMA wal_checkpoint(TRUNCATE)")
        let template = h.root + "/template.sqlite"
        try FileManager.default.moveItem(atPath: h.state + "/p00.sqlite", toPath: template)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: h.state + "/p00.sqlite" + suffix) }
        let start = Date()
        let tenMinutesAgo = start.addingTimeInterval(-600)
        for name in steady { try Self.seed(h, name, from: template, started: tenMinutesAgo) }
        for name in due { try Self.seed(h, name, from: template, started: start.addingTimeInterval(-7_200)) }

        try h.start()
        try h.waitUntil("every worker ready", timeout: 150) {
            let s = try h.statuses()
            return (steady + due).allSatisfy { ["ready", "idle", "syncing"].contains(s[$0]?.state ?? "") }
        }
        let statuses = try h.statuses()
        let seeded = tenMinutesAgo.timeIntervalSince1970.rounded()
        for name in steady {
            let next = try #require(statuses[name]?.nextRun, "\(name) has no next run")
            // The last run plus the interval, plus up to the default jitter (5 minutes).
            #expect(
                next.timeIntervalSince1970 >= seeded + 3_600 && next.timeIntervalSince1970 <= seeded + 3_600 + 301,
                "\(name): next run \(next)")
            #expect(statuses[name]?.lastRun?.started?.timeIntervalSince1970 == seeded)
        }
        // Due at the start: spread over the jitter window, not all at once.
        let dueNext = try due.map { try #require(statuses[$0]?.nextRun, "\($0) has no next run") }
        #expect(dueNext.allSatisfy { $0 >= start.addingTimeInterval(-1) && $0 <= Date().addingTimeInterval(601) })
        #expect(Set(dueNext).count > 1, "\(dueNext)")

        let wait = start.addingTimeInterval(60).timeIntervalSinceNow
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        let started = log.split(separator: "\n").filter { line in
            line.contains("msg=\"run started\"") && steady.contains { line.contains("profile=\($0) ") }
        }
        #expect(started.isEmpty, "\(started.prefix(5))")
        for name in steady {
            #expect(try DemoWriteBackTests.sqlite(h.state + "/\(name).sqlite", "SELECT count(*) FROM runs") == ["1"])
        }
        #expect(h.stop() == 0)
    }

    @Test func aWorkerRestartKeepsTheScheduleOfTheLastRun() throws {
        let h = try DaemonHarness()
        for f in ["alpha-in.csv", "alpha-out.csv"] {
            try "external_id,title,start_time\n".write(toFile: h.root + "/" + f, atomically: true, encoding: .utf8)
        }
        try h.writeProfile("alpha", schedule: "every = \"1h\"\njitter = \"0s\"")
        try h.start()
        // No run in the history: the first run starts at once.
        try h.waitUntil("the startup run", timeout: 20) { try h.status("alpha")?.lastRun?.trigger == "startup" }
        let first = try #require(try h.status("alpha")?.lastRun)
        let started = try #require(first.started)
        let pid = try #require(try h.status("alpha")?.pid)
        #expect(try h.cli(["restart", "alpha"]).code == 0)
        try h.waitReady("alpha", notPID: pid)
        let next = try #require(try h.status("alpha")?.nextRun)
        #expect(abs(next.timeIntervalSince(started.addingTimeInterval(3_600))) <= 1, "next run \(next)")
        usleep(3_000_000)
        #expect(try h.status("alpha")?.lastRun?.runID == first.runID)
        #expect(try DemoWriteBackTests.sqlite(h.state + "/alpha.sqlite", "SELECT count(*) FROM runs") == ["1"])
        #expect(h.stop() == 0)
    }
}
