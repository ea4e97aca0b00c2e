import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

/// The conformance suite on the reference connector, in both key modes.
@Suite struct MemoryConformanceTests {
    static func fixture(assignsKeys: Bool, pageSize: Int = 50) throws -> ConformanceFixture {
        var options = MemoryStore.Options()
        options.assignsKeys = assignsKeys
        options.pageSize = pageSize
        let store = try MemoryStore(options: options)
        return ConformanceFixture(
            connector: MemoryConnector(store: store), window: ConnectorConformance.defaultWindow,
            seed: { events in try events.map { try store.put($0) } },
            stored: { store.live.mapValues(\.event) },
            deterministicCreates: !assignsKeys, versions: true,
            seedInvalid: {
                try store.addProblem(ItemProblem(key: "row 3", field: "start_time", reason: "not a date: \"soon\""))
                return "row 3"
            })
    }

    @Test(arguments: ConnectorConformance.checks)
    func deterministicKeys(_ check: ConformanceCheck) throws {
        try check.run(Self.fixture(assignsKeys: false))
    }

    @Test(arguments: ConnectorConformance.checks)
    func assignedKeysSmallPages(_ check: ConformanceCheck) throws {
        try check.run(Self.fixture(assignsKeys: true, pageSize: 7))
    }

    /// The suite can fail: a connector that lists an item twice is caught.
    @Test func suiteCatchesADoubleListing() throws {
        let f = try Self.fixture(assignsKeys: false)
        let broken = ConformanceFixture(
            connector: DoubleLister(inner: f.connector), window: f.window, seed: f.seed,
            stored: f.stored)
        let check = ConnectorConformance.checks.first { $0.name == "a listing returns each item of the window once" }!
        #expect(throws: ConformanceFailure.self) { try check.run(broken) }
    }
}

/// A deliberately broken connector: every page lists its first item twice.
final class DoubleLister: Connector {
    let inner: any Connector
    init(inner: any Connector) { self.inner = inner }
    var capabilities: ConnectorCapabilities { inner.capabilities }
    func read(_ request: ReadRequest) throws -> ReadPage {
        var page = try inner.read(request)
        if let first = page.items.first { page.items.append(first) }
        return page
    }
    func write(_ changes: [Change]) throws -> [WriteOutcome] { try inner.write(changes) }
    func testConnection() -> ConnectionReport { inner.testConnection() }
}
