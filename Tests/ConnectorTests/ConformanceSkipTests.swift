import AlmanacCore
import AlmanacTestKit
import Testing

/// Each check says why it does not apply (what `almanac connector-test` prints as SKIP), and a
/// check that applies is never skipped.
@Suite(.timeLimit(.minutes(10))) struct ConformanceSkipTests {
    static func check(_ name: String) -> ConformanceCheck {
        ConnectorConformance.checks.first { $0.name == name }!
    }

    @Test func aReadOnlyConnectorSkipsTheWriteChecksNamingTheCapability() throws {
        let f = try MemoryConformanceTests.fixture(assignsKeys: false)
        let readOnly = ConformanceFixture(
            connector: ReadOnly(inner: f.connector), window: f.window, seed: f.seed, stored: f.stored)
        let reasons = Dictionary(
            uniqueKeysWithValues: ConnectorConformance.checks.map { ($0.name, $0.skipReason(readOnly)) })
        #expect(reasons["a create is listed with its content and origin"] == "capability write is missing")
        #expect(reasons["a delete removes; a second delete is gone"] == "capability delete is missing")
        #expect(
            reasons["a delta from a cursor carries changes and deletions"]
                == "capabilities delete, change-feed are missing")
        #expect(reasons["an unreadable item is a problem, not an item"] == "the fixture cannot seed an unreadable item")
        #expect(reasons["a listing returns each item of the window once"] == .some(nil))
        #expect(reasons["capabilities are consistent"] == .some(nil))
    }

    @Test func fixturePropertiesAreReasonsToo() throws {
        var f = try MemoryConformanceTests.fixture(assignsKeys: false)
        #expect(ConnectorConformance.checks.allSatisfy { $0.skipReason(f) == nil || $0.requires.contains(.writeBack) })
        f.versions = false
        f.deterministicCreates = false
        #expect(
            Self.check("an update with a stale version is a conflict").skipReason(f)
                == "the connector keeps no item versions")
        #expect(
            Self.check("a reused create id never makes a second item").skipReason(f)
                == "creates are not deterministic (a reused id may make a second item)")
    }
}

/// The memory connector with its write capabilities hidden.
final class ReadOnly: Connector {
    let inner: any Connector
    init(inner: any Connector) { self.inner = inner }
    var capabilities: ConnectorCapabilities { [.read] }
    func read(_ request: ReadRequest) throws -> ReadPage { try inner.read(request) }
    func write(_ changes: [Change]) throws -> [WriteOutcome] { try inner.write(changes) }
    func testConnection() -> ConnectionReport { inner.testConnection() }
}
