import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Failures injected in the memory connector: the run reports them, keeps the cursor, and the
/// next run finishes the job.
@Suite struct FaultTests {
    @Test func aRetryableItemFailureIsReportedAndRetriedNextRun() throws {
        let h = try SyncHarness()
        for i in 0..<5 { try h.fromStore.put(h.event("V\(i)", hours: Double(i + 1)), key: "A\(i)") }
        let id = DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A3", generation: 0)
        h.toFaults.fail(key: id, with: .failed(retryable: true, reason: "HTTP 503, try later"))
        let first = try h.run()
        #expect(first.report.result == .partial)
        #expect(first.report.failures.map(\.description) == ["A3 (to): create: HTTP 503, try later"])
        #expect(first.report.toCounts.created == 4 && first.report.toCounts.failed == 1)
        #expect(try h.state.cursor(job: "j", side: .from) == nil)  // the change is not applied yet
        h.toFaults.fail(key: id, with: nil)
        let second = try h.run()
        #expect(second.report.result == .success)
        #expect(second.report.toCounts.created == 1)
        #expect(h.toStore.live.count == 5)
        #expect(try h.state.cursor(job: "j", side: .from) != nil)
    }

    @Test func aThrowingWriteFailsItsBatchOnly() throws {
        let h = try SyncHarness()
        h.batchSize = 2
        for i in 0..<5 { try h.fromStore.put(h.event("V\(i)", hours: Double(i + 1)), key: "A\(i)") }
        h.toFaults.failNextWrite(AlmanacError(.httpTimeout, "no answer from 127.0.0.1:9 within 30 s"))
        let first = try h.run()
        #expect(first.report.result == .partial)
        #expect(first.report.failures.count == 2)
        #expect(first.report.failures.allSatisfy { $0.reason.contains("no answer from 127.0.0.1:9") })
        #expect(h.toStore.live.count == 3)
        #expect(try h.run().report.toCounts.created == 2)
        #expect(h.toStore.live.count == 5)
    }

    @Test func anUnreadableSideFailsTheRunWithItsError() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("V"), key: "A1")
        h.fromFaults.failNextRead(AlmanacError(.odbcConnectFailed, "cannot reach the database at 127.0.0.1:5432"))
        let out = try h.run()
        #expect(out.report.result == .failed)
        #expect(out.report.errorCode == "odbc.connect_failed")
        #expect(out.report.error == "reading the from side of job j: cannot reach the database at 127.0.0.1:5432")
        #expect(h.toStore.live.isEmpty)
        #expect(try h.state.runs(job: "j").first?.result == .failed)
    }

    @Test func aCreateWhoseIdIsReservedMovesToTheNextGeneration() throws {
        let h = try SyncHarness()
        try h.fromStore.put(h.event("V"), key: "A1")
        // The id was used and deleted before (Google keeps deleted ids reserved).
        let id0 = DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A1", generation: 0)
        try h.toStore.put(h.event("old"), key: id0)
        try h.toStore.remove(id0)
        let out = try h.run()
        #expect(out.report.result == .success)
        let id1 = DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: "A1", generation: 1)
        #expect(Array(h.toStore.live.keys) == [id1])
        #expect(try h.state.items(job: "j").first?.generation == 1)
    }
}
