import AlmanacWire
import Foundation
import Testing

@Suite struct IdleHeartbeatTests {
    /// Dates around the epoch, leap days, the end of a year, and fractional seconds.
    static let dates: [Date?] = [
        nil, Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_709_164_800),  // 2024-02-29
        Date(timeIntervalSince1970: 1_798_761_599),  // 2026-12-31T23:59:59Z
        Date(timeIntervalSince1970: 1_795_000_000.999), Date(timeIntervalSince1970: 4_102_444_800),
    ]

    @Test(arguments: dates)
    func sameBytesAsTheCodablePath(nextRun: Date?) throws {
        let generic = try Wire.line(PipeMessage.status(.init(state: "idle", nextRun: nextRun)))
        let fast = IdleHeartbeat.line(nextRun: nextRun)
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: generic, as: UTF8.self))
    }

    @Test(arguments: dates)
    func recognisedWithTheDateTheDecoderReads(nextRun: Date?) throws {
        let line = Array(IdleHeartbeat.line(nextRun: nextRun).dropLast())
        let decoded = try Wire.decoder().decode(PipeMessage.self, from: Data(line))
        let fast = try #require(IdleHeartbeat.nextRun(ofIdleHeartbeat: line))
        #expect(decoded == .status(.init(state: "idle", nextRun: fast)))
    }

    @Test(arguments: [
        #"{"state":"syncing","type":"status","v":1}"#, #"{"state":"idle","type":"status","v":2}"#,
        #"{"next_run":"2026-13-01T00:00:00Z","state":"idle","type":"status","v":1}"#,
        #"{"next_run":"2026-01-01T00:00:00+01:00","state":"idle","type":"status","v":1}"#,
        #"{"next_run":"2026-01-01T0a:00:00Z","state":"idle","type":"status","v":1}"#, "", "{}",
    ])
    func anythingElseIsLeftToTheDecoder(text: String) {
        #expect(IdleHeartbeat.nextRun(ofIdleHeartbeat: Array(text.utf8)) == nil)
    }
}
