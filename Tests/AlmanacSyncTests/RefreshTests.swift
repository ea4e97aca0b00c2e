import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// A side naming items to be written again although unchanged (`ReadPage.refresh`): an update of
/// `to` with `from`'s content, only for linked items unchanged on both sides, only on `to`.
@Suite(.timeLimit(.minutes(10))) struct RefreshTests {
    /// A memory connector whose every page names `refresh`.
    final class Naming: Connector {
        let inner: MemoryConnector
        var refresh: [String: String] = [:]

        init(_ inner: MemoryConnector) { self.inner = inner }

        var capabilities: ConnectorCapabilities { inner.capabilities }
        var fields: Set<EventField> { inner.fields }

        func read(_ request: ReadRequest) throws -> ReadPage {
            var page = try inner.read(request)
            page.refresh = refresh
            return page
        }

        func write(_ changes: [Change]) throws -> [WriteOutcome] { try inner.write(changes) }
        func lookup(_ keys: [String]) throws -> [SourceItem] { try inner.lookup(keys) }
        func testConnection() -> ConnectionReport { inner.testConnection() }
    }

    /// A harness with `A1` and `A2` synced; the `to` keys of both.
    static func synced() throws -> (SyncHarness, String, String) {
        let h = try SyncHarness.windowed()
        try h.fromStore.put(h.event("Visit 1"), key: "A1")
        try h.fromStore.put(h.event("Visit 2", hours: 3), key: "A2")
        #expect(try h.run().report.toCounts.created == 2)
        let id = { (key: String) in
            DeterministicID.make(profile: "test", job: "j", direction: .to, sourceKey: key, generation: 0)
        }
        return (h, id("A1"), id("A2"))
    }

    @Test func aNamedUnchangedItemIsUpdatedOnToOnceAndTheDryRunListsIt() throws {
        let (h, k1, k2) = try Self.synced()
        let v1 = h.toStore.record(k1)?.version ?? -1
        let v2 = h.toStore.record(k2)?.version ?? -1
        let to = Naming(h.toConnector)
        to.refresh = [k1: "incomplete on to"]
        let dry = try h.run(RunOptions(dryRun: true), to: to)
        #expect(dry.actions.map(\.line) == ["update  to    A1  incomplete on to"])
        #expect(h.toStore.record(k1)?.version == v1)

        let run = try h.run(to: to)
        #expect(run.report.result == .success && run.report.toCounts.updated == 1, "\(run.actions.map(\.line))")
        #expect(run.report.fromCounts.changed == 0)
        #expect(h.toStore.record(k1)?.version == v1 + 1)
        #expect(h.toStore.record(k1)?.event.title == "Visit 1")
        #expect(h.toStore.record(k2)?.version == v2)

        // Named no more: nothing to write, and the stored hashes were kept (no merge follows).
        to.refresh = [:]
        let quiet = try h.run(to: to)
        #expect(quiet.actions.isEmpty && quiet.report.toCounts.changed == 0, "\(quiet.actions.map(\.line))")
        #expect(h.toStore.record(k1)?.version == v1 + 1)
    }

    @Test func aNamedItemChangedInFromIsUpdatedOnceForTheChange() throws {
        let (h, k1, _) = try Self.synced()
        let v1 = h.toStore.record(k1)?.version ?? -1
        try h.fromStore.edit("A1") { $0.title = "Visit 1 (moved)" }
        let to = Naming(h.toConnector)
        to.refresh = [k1: "incomplete on to"]
        let run = try h.run(to: to)
        #expect(run.actions.map(\.line) == ["update  to    A1  changed in from"])
        #expect(h.toStore.record(k1)?.event.title == "Visit 1 (moved)")
        #expect(h.toStore.record(k1)?.version == v1 + 1)
    }

    @Test func namesFromTheFromSideOrOfUnknownKeysWriteNothing() throws {
        let (h, k1, _) = try Self.synced()
        let v1 = h.toStore.record(k1)?.version ?? -1
        let a1 = h.fromStore.record("A1")?.version ?? -1
        let from = Naming(h.fromConnector)
        from.refresh = ["A1": "incomplete on from", k1: "incomplete"]
        let to = Naming(h.toConnector)
        to.refresh = ["no-such-item": "incomplete on to"]
        let run = try h.run(from: from, to: to)
        #expect(run.actions.isEmpty && run.report.toCounts.changed == 0, "\(run.actions.map(\.line))")
        #expect(h.toStore.record(k1)?.version == v1)
        #expect(h.fromStore.record("A1")?.version == a1)
    }
}
