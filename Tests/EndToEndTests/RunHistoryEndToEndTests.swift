import AlmanacCore
import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// Status per job and per connection, kept in the state file across daemon restarts; the run
/// history (`almanac history`, `GET /v1/profiles/NAME/runs`) and its retention.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RunHistoryEndToEndTests {
    /// `alpha` with a job `bad` whose source file is missing and a job `good` that syncs.
    static func twoJobs(_ h: DaemonHarness, extra: String = "") throws {
        for f in ["in.csv", "out.csv", "out2.csv"] {
            try "external_id,title,start_time\n".write(toFile: h.root + "/" + f, atomically: true, encoding: .utf8)
        }
        try h.write(
            "alpha.toml",
            """
            timezone = "UTC"
            [schedule]
            manual = true
            [connections.src]
            connector = "csv"
            path = "\(h.root)/in.csv"
            [connections.dst]
            connector = "csv"
            path = "\(h.root)/out.csv"
            [connections.missing]
            connector = "csv"
            path = "\(h.root)/missing.csv"
            [connections.dst2]
            connector = "csv"
            path = "\(h.root)/out2.csv"
            [[jobs]]
            name = "bad"
            from = "missing"
            to = "dst2"
            [[jobs]]
            name = "good"
            from = "src"
            to = "dst"
            \(extra)

            """)
    }

    /// `status alpha --json`; `running: false` expects exit status 3 (no worker).
    static func status(_ h: DaemonHarness, running: Bool = true) throws -> ProfileStatus {
        let r = try h.cli(["status", "alpha", "--json"])
        #expect(r.code == (running ? 0 : 3), "\(r.err)")
        return try Wire.decoder().decode(ProfileStatus.self, from: Data(r.out.utf8))
    }

    static func metrics(_ h: DaemonHarness) throws -> String { try h.client().request("GET", "/metrics").text }

    /// What every check after a failed `bad` and a successful `good` expects, before and after a
    /// daemon restart; `missing` is the state of the connection `bad` reads as last observed.
    static func expectFailingBadAndGoodSuccess(
        _ h: DaemonHarness, runIDs: [String?]? = nil, missing: ConnectionHealth.State = .failing, running: Bool = true
    ) throws {
        let s = try status(h, running: running)
        #expect(s.health == "failing")
        let jobs = try #require(s.jobs)
        #expect(jobs.map(\.name) == ["bad", "good"])
        #expect(jobs[0].lastRun?.result == "failed")
        #expect(jobs[0].lastRun?.errorCode == "csv.path_missing")
        #expect(jobs[1].lastRun?.result == "success")
        if let runIDs { #expect(jobs.map { $0.lastRun?.runID } == runIDs) }
        #expect(s.lastError?.hasPrefix("bad: csv.path_missing: ") == true, "\(s.lastError ?? "nil")")
        let connections = Dictionary(uniqueKeysWithValues: (s.connections ?? []).map { ($0.name, $0) })
        #expect(connections["missing"]?.state == missing)
        #expect(connections["missing"]?.errorCode == (missing == .ok ? nil : "csv.path_missing"))
        #expect(connections["src"]?.state == .ok && connections["dst"]?.state == .ok)
        #expect(connections["dst2"]?.state != .failing)  // the failed read was of `missing` only

        let text = try h.cli(["status", "alpha"]).out
        if !running { #expect(text.contains("disabled"), "\(text)") }
        #expect(text.contains("  health: failing\n"), "\(text)")
        #expect(text.contains("  job bad: last run failed at "), "\(text)")
        #expect(text.contains("  job good: last run success at "), "\(text)")
        #expect(text.contains(missing == .ok ? "  connection missing: ok" : "  connection missing: failing since "))
        let table = try h.cli(["status"]).out
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("alpha") && $0.contains(" failing ") }, "\(table)")

        let m = try metrics(h)
        #expect(m.contains("almanac_profile_healthy{profile=\"alpha\"} 0\n"), "\(m)")
        #expect(
            m.contains("almanac_last_run_failed{profile=\"alpha\",job=\"bad\",error_code=\"csv.path_missing\"} 1\n"))
        #expect(m.contains("almanac_last_run_success{profile=\"alpha\",job=\"bad\",result=\"failed\"} 0\n"))
        #expect(m.contains("almanac_last_run_success{profile=\"alpha\",job=\"good\",result=\"success\"} 1\n"))
        let missingLine = "connection=\"missing\",state=\"\(missing.rawValue)\"} \(missing == .ok ? 1 : 0)\n"
        #expect(m.contains("almanac_connection_ok{profile=\"alpha\",\(missingLine)"), "\(m)")
        #expect(m.contains("almanac_connection_ok{profile=\"alpha\",connection=\"src\",state=\"ok\"} 1\n"))
    }

    @Test func aFailingJobKeepsTheProfileFailingThroughDryRunsAndRestarts() throws {
        let h = try DaemonHarness()
        try Self.twoJobs(h)
        try h.start()
        try h.waitReady("alpha")
        #expect(try Self.status(h).health == nil)
        let sync = try h.cli(["sync", "alpha", "--wait"])
        #expect(sync.code == 1, "\(sync.out)\(sync.err)")
        try Self.expectFailingBadAndGoodSuccess(h)
        let runIDs = try Self.status(h).jobs?.map { $0.lastRun?.runID }

        // The missing file appears; a dry run of `bad` goes through, and is shown, not counted (the
        // connection it read did work: that is recorded).
        try "external_id,title,start_time\n".write(toFile: h.root + "/missing.csv", atomically: true, encoding: .utf8)
        let dry = try h.cli(["sync", "alpha", "--job", "bad", "--dry-run", "--wait"])
        #expect(dry.code == 0, "\(dry.out)\(dry.err)")
        let afterDry = try Self.status(h)
        #expect(afterDry.jobs?[0].lastDryRun?.result == "success")
        #expect(afterDry.jobs?[0].lastDryRun?.dryRun == true)
        #expect(try Self.status(h).jobs?.map { $0.lastRun?.runID } == runIDs)
        try FileManager.default.removeItem(atPath: h.root + "/missing.csv")
        try Self.expectFailingBadAndGoodSuccess(h, runIDs: runIDs, missing: .ok)

        // A daemon restart: every job's last run, its result and error come from the state file.
        #expect(h.stop() == 0)
        try h.start()
        try h.waitReady("alpha")
        try Self.expectFailingBadAndGoodSuccess(h, runIDs: runIDs, missing: .ok)
        #expect(try Self.status(h).jobs?[0].lastDryRun == nil)  // dry runs are not kept

        // A worker restart too.
        let pid = try #require(try h.status("alpha")?.pid)
        #expect(try h.cli(["restart", "alpha"]).code == 0)
        try h.waitReady("alpha", notPID: pid)
        try Self.expectFailingBadAndGoodSuccess(h, runIDs: runIDs, missing: .ok)

        // The file comes back: a real run of `bad` heals the profile and its connection.
        try "external_id,title,start_time\n".write(toFile: h.root + "/missing.csv", atomically: true, encoding: .utf8)
        #expect(try h.cli(["sync", "alpha", "--job", "bad", "--wait"]).code == 0)
        let healed = try Self.status(h)
        #expect(healed.health == "ok")
        #expect(healed.lastError == nil)
        #expect(healed.connections?.first { $0.name == "missing" }?.state == .ok)
        #expect(try Self.metrics(h).contains("almanac_profile_healthy{profile=\"alpha\"} 1\n"))
        #expect(h.stop() == 0)
    }

    /// A profile whose worker does not run after a daemon restart (here: disabled) still shows
    /// its jobs' last runs and its connections, from the supervisor's own copy.
    @Test func aProfileWithoutAWorkerKeepsItsStatusThroughADaemonRestart() throws {
        let h = try DaemonHarness()
        try Self.twoJobs(h)
        try h.start()
        try h.waitReady("alpha")
        #expect(try h.cli(["sync", "alpha", "--wait"]).code == 1)
        let runIDs = try Self.status(h).jobs?.map { $0.lastRun?.runID }
        #expect(runIDs?.allSatisfy { $0 != nil } == true)
        #expect(try h.cli(["disable", "alpha"]).code == 0)
        #expect(h.stop() == 0)
        try h.start()
        try h.waitUntil("alpha is listed as disabled", timeout: 20) {
            (try? h.status("alpha"))??.state == "disabled"
        }
        #expect(try h.status("alpha")?.pid == nil)
        try Self.expectFailingBadAndGoodSuccess(h, runIDs: runIDs, running: false)
        #expect(h.stop() == 0)
    }

    /// A profile that never ran keeps no copy on disk (its file gives its jobs): status lists its
    /// jobs, without runs, while its worker is up and after a daemon restart without a worker.
    @Test func aProfileThatNeverRanListsItsJobsWithoutACopyOnDisk() throws {
        let h = try DaemonHarness()
        try Self.twoJobs(h)
        try h.start()
        try h.waitReady("alpha")
        #expect(try Self.status(h).jobs?.map(\.name) == ["bad", "good"])
        #expect(!FileManager.default.fileExists(atPath: h.state + "/runbook/alpha.json"))
        #expect(try h.cli(["disable", "alpha"]).code == 0)
        #expect(h.stop() == 0)
        try h.start()
        try h.waitUntil("alpha is listed as disabled", timeout: 20) {
            (try? h.status("alpha"))??.state == "disabled"
        }
        let s = try Self.status(h, running: false)
        #expect(s.jobs?.map(\.name) == ["bad", "good"])
        #expect(s.jobs?.allSatisfy { $0.lastRun == nil } == true)
        #expect(!FileManager.default.fileExists(atPath: h.state + "/runbook/alpha.json"))
        #expect(h.stop() == 0)
    }

    @Test func testConnectionRecordsTheConnectionsStatus() throws {
        let h = try DaemonHarness()
        try Self.twoJobs(h)
        try h.start()
        try h.waitReady("alpha")
        let r = try h.cli(["test-connection", "alpha"])
        #expect(r.code == 1, "\(r.out)\(r.err)")
        let s = try Self.status(h)
        let connections = Dictionary(uniqueKeysWithValues: (s.connections ?? []).map { ($0.name, $0) })
        #expect(connections["missing"]?.state == .failing)
        #expect(connections["src"]?.state == .ok)
        #expect(s.health == nil)  // no run yet: a test says nothing of the jobs
        #expect(h.stop() == 0)
    }

    @Test func historyListsRunsHonoursItsOptionsAndDropsRunsPastTheRetention() throws {
        let h = try DaemonHarness()
        try Self.twoJobs(h, extra: "[history]\nretention = \"2d\"")
        try h.start()
        try h.waitReady("alpha")
        for _ in 0..<2 { _ = try h.cli(["sync", "alpha", "--wait"]) }

        let table = try h.cli(["history", "alpha"])
        #expect(table.code == 0, "\(table.err)")
        let lines = table.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("STARTED") == true && lines.count == 5, "\(table.out)")
        #expect(
            lines.filter { $0.contains(" bad ") && $0.contains(" failed ") && $0.contains("csv.path_missing") }
                .count == 2, "\(table.out)")

        func history(_ arguments: [String]) throws -> RunHistory {
            let r = try h.cli(["history", "alpha", "--json"] + arguments)
            #expect(r.code == 0, "\(r.err)")
            return try Wire.decoder().decode(RunHistory.self, from: Data(r.out.utf8))
        }
        let all = try history([])
        #expect(all.runs.count == 4)
        #expect(
            all.runs.map(\.started) == all.runs.map(\.started).sorted { ($0 ?? .distantPast) > ($1 ?? .distantPast) })
        #expect(all.runs.allSatisfy { $0.trigger == "manual" })
        #expect(try history(["--job", "good"]).runs.map(\.job) == ["good", "good"])
        #expect(try history(["--limit", "1"]).runs.count == 1)
        #expect(try history(["--job", "bad", "--limit", "1"]).runs.map(\.result) == ["failed"])
        let api = try h.client().request("GET", "/v1/profiles/alpha/runs?job=good&limit=1")
        #expect(api.status == 200)
        let body = try Wire.decoder().decode(RunHistory.self, from: Data(api.body))
        #expect(body.profile == "alpha" && body.runs.map(\.job) == ["good"])
        #expect(try h.client().request("GET", "/v1/profiles/alpha/runs?limit=0").status == 400)
        let unknownJob = try h.cli(["history", "alpha", "--job", "nope"])
        #expect(unknownJob.code == 1 && unknownJob.err.contains("no job named \"nope\""), "\(unknownJob.err)")
        #expect(try h.cli(["history", "alpha", "--limit", "0"]).code == 64)

        // Two runs made three days old: the worker deletes them at its next start.
        #expect(h.stop() == 0)
        let db = h.state + "/alpha.sqlite"
        let old = try DemoWriteBackTests.sqlite(db, "SELECT run_id FROM runs ORDER BY started LIMIT 2")
        _ = try DemoWriteBackTests.sqlite(
            db,
            "UPDATE runs SET started = started - 259200, finished = finished - 259200 WHERE run_id IN "
                + "('\(old[0])','\(old[1])')")
        try h.start()
        try h.waitReady("alpha")
        let kept = try history([])
        #expect(kept.runs.count == 2)
        #expect(Set(kept.runs.map(\.runID)).isDisjoint(with: old))
        #expect(try DemoWriteBackTests.sqlite(db, "SELECT count(*) FROM runs") == ["2"])
        #expect(h.stop() == 0)
    }
}
