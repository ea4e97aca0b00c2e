import AlmanacCore
import AlmanacWire
import Foundation
import Testing

@Suite struct PipeMessageTests {
    @Test func helloCarriesVersionOneAndSnakeCaseKeys() throws {
        let line = try Wire.line(
            PipeMessage.hello(.init(pid: 42, profile: "clinic", version: "0.1", configHash: "abc")))
        #expect(
            String(decoding: line, as: UTF8.self)
                == "{\"config_hash\":\"abc\",\"pid\":42,\"profile\":\"clinic\","
                + "\"type\":\"hello\",\"v\":1,\"version\":\"0.1\"}\n"
        )
    }

    @Test func syncRoundTripsItsOptions() throws {
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let m = PipeMessage.sync(
            .init(
                id: "s1", job: "appointments",
                options: RunOptions(dryRun: true, full: true, since: since, allowMassDelete: true)))
        let text = String(decoding: try Wire.line(m), as: UTF8.self)
        #expect(text.contains("\"dry_run\":true"))
        #expect(text.contains("\"allow_mass_delete\":true"))
        #expect(text.contains("\"since\":\"2027-01-15T08:00:00Z\""))
        let back = try Wire.decoder().decode(PipeMessage.self, from: Data(text.utf8))
        #expect(back == m)
        guard case .sync(let sync) = back else { throw Failure() }
        #expect(
            sync.runOptions
                == RunOptions(trigger: .manual, dryRun: true, full: true, since: since, allowMassDelete: true))
    }

    @Test func runFinishedBecomesASummary() throws {
        let json = """
            {"v":1,"type":"run_finished","run_id":"r1","job":"j","result":"success","duration_ms":12,\
            "to":{"created":2,"updated":0,"deleted":0,"confirmed":0,"cancelled":0,"conflicts":0,\
            "skipped":0,"failed":0,"unchanged":5},\
            "request_ids":["s1"],"batch_done":true}
            """
        let m = try Wire.decoder().decode(PipeMessage.self, from: Data(json.utf8))
        #expect(m.kind == .runFinished)
        guard case .runFinished(let finished) = m else { throw Failure() }
        #expect(finished.requestIDs == ["s1"])
        let s = RunSummary(finished, finished: Date(timeIntervalSince1970: 0))
        #expect(s.to.created == 2 && s.to.unchanged == 5 && s.durationMS == 12 && s.from == ActionCounts())
    }

    @Test func unknownTypeIsADecodingError() {
        #expect(throws: DecodingError.self) {
            try Wire.decoder().decode(PipeMessage.self, from: Data("{\"v\":1,\"type\":\"explode\"}".utf8))
        }
    }

    struct Failure: Error {}

    @Test func statusListIsStable() throws {
        var s = ProfileStatus(
            name: "a", state: "idle", since: Date(timeIntervalSince1970: 0), restarts: 1, enabled: true)
        s.pid = 7
        s.uptimeS = 3
        s.configError = ["a.toml: x: bad"]
        let text = String(decoding: try Wire.encoder().encode(StatusList(profiles: [s])), as: UTF8.self)
        #expect(
            text == "{\"profiles\":[{\"config_error\":[\"a.toml: x: bad\"],\"enabled\":true,\"name\":\"a\",\"pid\":7,"
                + "\"restarts\":1,\"since\":\"1970-01-01T00:00:00Z\",\"state\":\"idle\",\"uptime_s\":3}],\"v\":1}")
    }
}
