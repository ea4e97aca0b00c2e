import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Synchronization
import Testing

/// Toward a side whose creates cannot carry almanac's id (`Connector.lateCreates`, the People
/// API): creates go out one call's worth at a time, each recorded just before it is sent, and a
/// create whose answer was not seen is not sent again within the window, so that one still on
/// its way when its sender died or gave up is never made twice.
@Suite(.timeLimit(.minutes(10))) struct LateCreateTests {
    /// A memory side declaring `lateCreates`, whose `write` can hold creates back as a service
    /// does with a request whose answer never reached its sender (`swallow`: the creates are kept
    /// to land later, and answered as a lost answer), or refuse them for good (`refuse`).
    final class LateSide: Connector, @unchecked Sendable {
        // @unchecked: the mutable fields are guarded by `lock`.
        let inner: MemoryConnector
        let late: LateCreates
        private let lock = NSLock()
        private var calls: [Int] = []
        private var swallowed: [Change] = []
        var swallow = false
        var refuse = false

        init(_ inner: MemoryConnector, window: TimeInterval, perCall: Int) {
            self.inner = inner
            self.late = LateCreates(window: window, perCall: perCall)
        }

        var capabilities: ConnectorCapabilities { inner.capabilities }
        var kinds: Set<ItemKind> { inner.kinds }
        var contactShape: ContactShape { inner.contactShape }
        var lateCreates: LateCreates? { late }
        /// The number of creates of each `write` call so far.
        var createCalls: [Int] { lock.withLock { calls } }

        func read(_ request: ReadRequest) throws -> ReadPage { try inner.read(request) }
        func lookup(_ keys: [String]) throws -> [SourceItem] { try inner.lookup(keys) }
        func testConnection() -> ConnectionReport { inner.testConnection() }

        func write(_ changes: [Change]) throws -> [WriteOutcome] {
            let creates = changes.filter { if case .create = $0 { true } else { false } }
            let (swallow, refuse) = lock.withLock { () -> (Bool, Bool) in
                calls.append(creates.count)
                if self.swallow { swallowed += creates }
                return (self.swallow, self.refuse)
            }
            guard swallow || refuse else { return try inner.write(changes) }
            return changes.map { _ in
                .failed(retryable: swallow, reason: swallow ? "the answer was lost" : "refused")
            }
        }

        /// The swallowed creates reach the store, as the service finally applies them.
        func land() throws {
            let changes = lock.withLock { () -> [Change] in
                defer { swallowed = [] }
                return swallowed
            }
            _ = try inner.write(changes)
        }
    }

    static func harness(_ count: Int, batchSize: Int = 100) throws -> SyncHarness {
        let h = try ContactSyncTests.harness("direction = \"one-way\"")
        h.batchSize = batchSize
        try h.fromStore.put(contentsOf: (0..<count).map { ContactSyncTests.client($0) })
        return h
    }

    /// The creates of the job still on record.
    static func onRecord(_ h: SyncHarness) throws -> [String: Date] {
        try h.state.createsSent(job: h.job.name, forgettingBefore: .distantPast)
    }

    @Test func createsGoOutOneCallAtATimeAndTheirRecordGoesWithTheAnswer() throws {
        let h = try Self.harness(450, batchSize: 500)
        let to = LateSide(h.toConnector, window: 120, perCall: 200)
        let report = try h.run(to: to).report
        #expect(report.result == .success && report.toCounts.created == 450, "\(report)")
        #expect(to.createCalls == [200, 200, 50])
        #expect(h.toStore.live.count == 450)
        #expect(try Self.onRecord(h).isEmpty)
        // A side without `lateCreates` gets the batch in one call and leaves no record.
        let plain = try Self.harness(450, batchSize: 500)
        #expect(try plain.run().report.toCounts.created == 450)
        #expect(try Self.onRecord(plain).isEmpty)
    }

    @Test func aCreateWhoseAnswerWasLostIsHeldForTheWindowAndFoundByItsStampOnceItLands() throws {
        let h = try Self.harness(30)
        let to = LateSide(h.toConnector, window: 120, perCall: 20)
        to.swallow = true
        let first = try h.run(to: to).report
        #expect(first.result == .partial && first.toCounts.failed == 30, "\(first)")
        #expect(try Self.onRecord(h).count == 30)
        to.swallow = false

        // Within the window: nothing is sent again; the run says why and is retried soon.
        let second = try h.run(to: to).report
        #expect(to.createCalls == [20, 10], "\(to.createCalls)")
        #expect(second.result == .partial && second.toCounts.failed == 30 && second.retryable == true, "\(second)")
        #expect(
            second.failures.allSatisfy {
                $0.reason.hasPrefix("create: sent at ") && $0.reason.contains("not sent again before")
            }, "\(second.failures.first.map(\.reason) ?? "")")
        #expect(h.toStore.live.isEmpty)
        // The retry is due when the last of them may be sent: 120 s after the first run sent it.
        let sentAt = try #require(try Self.onRecord(h).values.max())
        #expect(second.retryNotBefore == sentAt.addingTimeInterval(120), "\(String(describing: second.retryNotBefore))")

        // They land; the next run links them by their stamps and sends no create.
        try to.land()
        let third = try h.run(to: to).report
        #expect(third.result == .success && third.toCounts.created == 0 && third.linked == 30, "\(third)")
        #expect(to.createCalls == [20, 10], "\(to.createCalls)")
        #expect(h.toStore.live.count == 30)
        #expect(Set(h.toStore.live.values.compactMap(\.event.origin)).count == 30)
    }

    @Test func aCreateThatNeverLandedIsSentAgainOnceTheWindowHasPassed() throws {
        let h = try Self.harness(5)
        let to = LateSide(h.toConnector, window: 0.5, perCall: 200)
        to.swallow = true
        #expect(try h.run(to: to).report.toCounts.failed == 5)
        to.swallow = false
        #expect(try h.run(to: to).report.toCounts.failed == 5)
        #expect(to.createCalls == [5])
        usleep(600_000)
        let late = try h.run(to: to).report
        #expect(late.result == .success && late.toCounts.created == 5, "\(late)")
        #expect(to.createCalls == [5, 5])
        #expect(h.toStore.live.count == 5)
        #expect(try Self.onRecord(h).isEmpty)
    }

    @Test func aCreateRefusedForGoodIsNotHeld() throws {
        let h = try Self.harness(5)
        let to = LateSide(h.toConnector, window: 120, perCall: 200)
        to.refuse = true
        #expect(try h.run(to: to).report.toCounts.failed == 5)
        #expect(try Self.onRecord(h).isEmpty)
        to.refuse = false
        let again = try h.run(to: to).report
        #expect(again.result == .success && again.toCounts.created == 5, "\(again)")
        #expect(to.createCalls == [5, 5])
    }
}
