import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// A failed run's cause chain travels from the worker's `run_finished` to `status --json`, and
/// control API errors carry their code as the same string as ever.
@Suite("Error causes on the wire", .timeLimit(.minutes(10)))
struct ErrorCauseWireTests {
    @Test func runFinishedCarriesTheCauseChainIntoTheStatus() throws {
        let json = """
            {"v":1,"type":"run_finished","run_id":"r1","job":"j","result":"failed","duration_ms":12,\
            "error_code":"odbc.timeout","error":"reading the from side of job j: read_query timed out",\
            "cause":["[HYT00] timeout expired"],"request_ids":["s1"],"batch_done":true}
            """
        let m = try Wire.decoder().decode(PipeMessage.self, from: Data(json.utf8))
        guard case .runFinished(let finished) = m else {
            Issue.record("not a run_finished: \(m)")
            return
        }
        #expect(finished.cause == ["[HYT00] timeout expired"])
        let s = RunSummary(finished, finished: Date(timeIntervalSince1970: 0))
        #expect(s.errorCode == "odbc.timeout")
        #expect(s.cause == ["[HYT00] timeout expired"])
        let text = String(decoding: try Wire.encoder().encode(s), as: UTF8.self)
        #expect(text.contains(#""cause":["[HYT00] timeout expired"]"#))
        #expect(text.contains(#""error_code":"odbc.timeout""#))
    }

    @Test func aRunWithoutCauseWritesNoCauseKey() throws {
        var finished = PipeMessage.RunFinished(
            runID: "r1", job: "j", trigger: nil, result: "success", to: .init(), from: .init(), started: nil,
            durationMS: 0, requestIDs: [], batchDone: false)
        let line = String(decoding: try Wire.line(PipeMessage.runFinished(finished)), as: UTF8.self)
        #expect(!line.contains("cause"), "\(line)")
        finished.cause = ["[HYT00] timeout expired"]
        let with = String(decoding: try Wire.line(PipeMessage.runFinished(finished)), as: UTF8.self)
        #expect(with.contains(#""cause":["[HYT00] timeout expired"]"#), "\(with)")
    }

    @Test func actionResultCodesAreTheirStrings() throws {
        let r = ActionResult(ok: false, message: "no profile named \"x\"", code: .profileNotFound)
        let text = String(decoding: try Wire.encoder().encode(r), as: UTF8.self)
        #expect(text == #"{"code":"profile.not_found","message":"no profile named \"x\"","ok":false,"v":1}"#)
        let back = try Wire.decoder().decode(ActionResult.self, from: Data(text.utf8))
        #expect(back.code == .profileNotFound)
        let unauthorized = #"{"v":1,"ok":false,"code":"api.unauthorized","message":"missing or wrong bearer token"}"#
        #expect(try Wire.decoder().decode(ActionResult.self, from: Data(unauthorized.utf8)).code == .apiUnauthorized)
    }
}
