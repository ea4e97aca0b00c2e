import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// What a driver or library says, as the connector received it.
private struct DriverFailure: Error, CustomStringConvertible {
    var description: String
}

/// A failed run keeps the error's cause chain, redacted, in its report and run history.
@Suite("Error causes in run reports", .timeLimit(.minutes(10)))
struct ErrorCauseReportTests {
    @Test func aFailedReadReportsItsCauseChainWithoutSecrets() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("V"), key: "A1")
        let driver = DriverFailure(
            description: "[HY000] DRIVER={PostgreSQL};SERVER=db;UID=almanac;PWD=pa55word;: disk I/O error")
        h.fromFaults.failNextRead(
            AlmanacError(.odbcQueryFailed, "connection \"db\": read_query failed", cause: driver))
        let out = try h.run()
        #expect(out.report.result == .failed)
        #expect(out.report.errorCode == "odbc.query_failed")
        #expect(out.report.error == "reading the from side of job j: connection \"db\": read_query failed")
        // The engine's "reading the from side" only puts the connector's error in context: the
        // chain starts at what the connector wrapped.
        let chain = ["[HY000] DRIVER={PostgreSQL};SERVER=db;UID=almanac;PWD=***;: disk I/O error"]
        #expect(out.report.cause == chain)
        #expect(try h.state.runs(job: "j").first?.cause == chain)
    }

    @Test func anErrorWithoutACauseReportsNone() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("V"), key: "A1")
        h.fromFaults.failNextRead(AlmanacError(.odbcConnectFailed, "cannot reach the database at 127.0.0.1:5432"))
        let out = try h.run()
        #expect(out.report.result == .failed)
        #expect(out.report.cause == nil)
        #expect(try h.state.runs(job: "j").first?.cause == nil)
        let json = String(decoding: try JSONEncoder().encode(try h.run().report), as: UTF8.self)
        #expect(!json.contains("\"cause\""))
    }
}
