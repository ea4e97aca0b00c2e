import AlmanacWire
import Foundation
import Testing

/// The governor's hot-path lines are byte for byte what `Wire.line` writes, and parse back.
@Suite(.timeLimit(.minutes(10)))
struct QuotaLineTests {
    @Test func anAskIsTheEncodersLineAndParsesBack() throws {
        let keys = ["google:client \"x\"", "google_user:client:a/b"]
        let fast = QuotaLine.ask(id: "q12", keysJSON: QuotaLine.keysJSON(keys), tokens: 50)
        let slow = try Wire.line(PipeMessage.quotaAsk(.init(id: "q12", keys: keys, tokens: 50)))
        #expect(fast == slow)
        let parsed = try #require(QuotaLine.parseAsk(fast.dropLast()))
        #expect(parsed.id == "q12" && parsed.tokens == 50)
        #expect(try Wire.decoder().decode([String].self, from: Data(parsed.keysJSON.utf8)) == keys)
    }

    @Test func aGrantIsTheEncodersLineAndParsesBack() throws {
        let fast = QuotaLine.grant(id: "q7", waitedMS: 1_250)
        #expect(fast == (try Wire.line(PipeMessage.quotaGrant(.init(id: "q7", waitedMS: 1_250)))))
        let parsed = try #require(QuotaLine.parseGrant(fast.dropLast()))
        #expect(parsed.id == "q7" && parsed.waitedMS == 1_250)
    }

    @Test(arguments: [
        #"{"id":"q1","keys":[],"tokens":x,"type":"quota_ask","v":1}"#,
        #"{"id":"q1","keys":["a"],"tokens":1,"type":"quota_ask","v":2}"#,
        #"{"id":"","keys":["a"],"tokens":1,"type":"quota_ask","v":1}"#,
        #"{"state":"idle","type":"status","v":1}"#,
    ])
    func otherLinesAreNotAsks(_ line: String) {
        #expect(QuotaLine.parseAsk(Array(line.utf8)[...]) == nil)
        #expect(QuotaLine.parseGrant(Array(line.utf8)[...]) == nil)
    }

    @Test func aReportRoundTrips() throws {
        let m = PipeMessage.quotaReport(.init(keys: ["cronofy:app"], status: 429, retryAfterMS: 2_000))
        #expect(try Wire.decoder().decode(PipeMessage.self, from: Data(Wire.line(m))) == m)
        let line = String(decoding: try Wire.line(m), as: UTF8.self)
        let want = #"{"keys":["cronofy:app"],"retry_after_ms":2000,"status":429,"type":"quota_report","v":1}"#
        #expect(line == want + "\n")
    }
}
