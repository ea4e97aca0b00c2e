import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// The fields `almanac status --json` and `GET /v1/profiles/NAME/runs` gained for per-job status,
/// connections and the run history, as they are written.
@Suite(.timeLimit(.minutes(10)))
struct JobStatusWireTests {
    static let t0 = Date(timeIntervalSince1970: 0)

    static func run(dry: Bool) -> RunSummary {
        var report = RunReport(
            runID: "r1", profile: "a", job: "j", trigger: .manual, dryRun: dry, started: t0,
            finished: t0.addingTimeInterval(2), result: .failed, errorCode: "csv.no_files", error: "no file")
        report.cause = ["x"]
        return RunSummary(report)
    }

    @Test func aRunSummaryFromAStoredReportKeepsItsFields() {
        let r = Self.run(dry: false)
        #expect(r.runID == "r1" && r.job == "j" && r.trigger == "manual" && r.result == "failed")
        #expect(r.started == Self.t0 && r.finished == Self.t0.addingTimeInterval(2) && r.durationMS == 2_000)
        #expect(r.errorCode == "csv.no_files" && r.error == "no file" && r.cause == ["x"])
        #expect(r.dryRun == nil)
        #expect(Self.run(dry: true).dryRun == true)
    }

    @Test func profileStatusWritesHealthJobsAndConnections() throws {
        var s = ProfileStatus(name: "a", state: "idle", since: Self.t0, restarts: 0, enabled: true)
        s.health = "failing"
        var dry = Self.run(dry: true)
        dry.cause = nil
        s.jobs = [JobStatus(name: "j", lastDryRun: dry)]
        s.connections = [
            ConnectionHealth(
                name: "db", state: .reconnectRequired, since: Self.t0, checked: Self.t0, errorCode: "oauth.x",
                error: "e")
        ]
        let text = String(decoding: try Wire.encoder().encode(s), as: UTF8.self)
        #expect(
            text
                == "{\"connections\":[{\"checked\":\"1970-01-01T00:00:00Z\",\"error\":\"e\",\"error_code\":\"oauth.x\","
                + "\"name\":\"db\",\"since\":\"1970-01-01T00:00:00Z\",\"state\":\"reconnect_required\"}],"
                + "\"enabled\":true,\"health\":\"failing\",\"jobs\":[{\"last_dry_run\":{\"dry_run\":true,"
                + "\"duration_ms\":2000,\"error\":\"no file\",\"error_code\":\"csv.no_files\",\"finished\":"
                + "\"1970-01-01T00:00:02Z\",\"from\":" + Self.zeroCounts + ",\"job\":\"j\",\"result\":\"failed\","
                + "\"run_id\":\"r1\",\"started\":\"1970-01-01T00:00:00Z\",\"to\":" + Self.zeroCounts
                + ",\"trigger\":\"manual\"},\"name\":\"j\"}],\"name\":\"a\",\"restarts\":0,"
                + "\"since\":\"1970-01-01T00:00:00Z\",\"state\":\"idle\"}")
        #expect(try Wire.decoder().decode(ProfileStatus.self, from: Data(text.utf8)) == s)
    }

    static let zeroCounts =
        "{\"cancelled\":0,\"confirmed\":0,\"conflicts\":0,\"created\":0,\"deleted\":0,\"failed\":0,\"skipped\":0,"
        + "\"unchanged\":0,\"updated\":0}"

    @Test func runHistoryRoundTrips() throws {
        let h = RunHistory(profile: "a", runs: [Self.run(dry: false)])
        let data = try Wire.encoder().encode(h)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("{\"profile\":\"a\",\"runs\":[{"))
        #expect(try Wire.decoder().decode(RunHistory.self, from: data) == h)
    }
}
