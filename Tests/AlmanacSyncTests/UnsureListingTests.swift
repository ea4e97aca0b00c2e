import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// A listing the engine cannot be sure of deletes nothing: a read that fails after some pages,
/// and an item the source reports as unreadable, leave the other side's events in place.
@Suite struct UnsureListingTests {
    /// A memory connector whose read fails from call `failingCall` on (1-based).
    final class FailingReads: Connector {
        let inner: MemoryConnector
        let failingCall: Int
        var calls = 0

        init(_ inner: MemoryConnector, failingCall: Int) {
            self.inner = inner
            self.failingCall = failingCall
        }

        var capabilities: ConnectorCapabilities { inner.capabilities }
        var fields: Set<EventField> { inner.fields }

        func read(_ request: ReadRequest) throws -> ReadPage {
            calls += 1
            if calls >= failingCall {
                throw AlmanacError(.odbcQueryFailed, "connection \"db\": read_query failed: [HY000] disk I/O error")
            }
            return try inner.read(request)
        }

        func write(_ changes: [Change]) throws -> [WriteOutcome] { try inner.write(changes) }
        func testConnection() -> ConnectionReport { inner.testConnection() }
    }

    /// Six appointments synced from `a` to `b`, two per page on the `a` side.
    func synced() throws -> SyncHarness {
        var options = MemoryStore.Options()
        options.pageSize = 2
        let h = try SyncHarness(fromOptions: options)
        for i in 0..<6 { try h.fromStore.put(h.event("V\(i)", hours: Double(i + 1)), key: "A\(i)") }
        #expect(try h.run().report.toCounts.created == 6)
        return h
    }

    @Test func aListingThatFailsAfterItsFirstPageDeletesNothing() throws {
        let h = try synced()
        let from = FailingReads(h.fromConnector, failingCall: 2)
        let to = h.toConnector
        let job = try SyncJob(profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: from, to: to)
        let out = SyncEngine(job: job, from: from, to: to, store: h.state).run(
            options: RunOptions(full: true), now: h.now)
        #expect(from.calls == 2)
        #expect(out.report.result == .failed)
        #expect(out.report.errorCode == "odbc.query_failed")
        #expect(out.report.toCounts.deleted == 0)
        #expect(h.toStore.live.count == 6)
    }

    @Test func anUnreadableItemKeepsItsEvent() throws {
        let h = try synced()
        // A3 can no longer be read (say its note grew past max_value_bytes): it is reported,
        // not listed.
        try h.fromStore.remove("A3")
        try h.fromStore.addProblem(
            ItemProblem(key: "A3", field: "content", reason: "is longer than max_value_bytes (1048576 bytes)"))
        let out = try h.run(RunOptions(full: true))
        #expect(out.report.toCounts.deleted == 0)
        #expect(h.toStore.live.count == 6)
        #expect(Set(SyncHarness.titles(h.toStore)) == Set((0..<6).map { "V\($0)" }))
        #expect(out.report.failures.map(\.description).contains { $0.contains("A3") && $0.contains("max_value_bytes") })
    }
}
