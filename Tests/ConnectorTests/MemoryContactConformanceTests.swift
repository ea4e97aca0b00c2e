import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// The contact checks of the conformance suite on the reference connector, in both key modes, and
/// the contact stamp scenario.
@Suite(.timeLimit(.minutes(10))) struct MemoryContactConformanceTests {
    static func fixture(assignsKeys: Bool, pageSize: Int = 50) throws -> ContactFixture {
        var options = MemoryStore.Options()
        options.assignsKeys = assignsKeys
        options.pageSize = pageSize
        let store = try MemoryStore(options: options)
        return ContactFixture(
            connector: MemoryConnector(store: store, kind: .contacts),
            seed: { contacts in try contacts.map { try store.put($0.envelope()) } },
            stored: { store.live.compactMapValues(\.event.contact) })
    }

    @Test(arguments: ContactConformance.checks)
    func deterministicKeys(_ check: ContactCheck) throws {
        try check.run(Self.fixture(assignsKeys: false))
    }

    @Test(arguments: ContactConformance.checks)
    func assignedKeysSmallPages(_ check: ContactCheck) throws {
        try check.run(Self.fixture(assignsKeys: true, pageSize: 2))
    }

    @Test func stampsSurviveALostState() throws {
        for assignsKeys in [false, true] {
            var options = MemoryStore.Options()
            options.assignsKeys = assignsKeys
            let store = try MemoryStore(options: options)
            let to = MemoryConnector(store: store, kind: .contacts)
            let result = try ContactStampScenario.run(try ContactStampScenario.harness(), to: to)
            let listed = try ConnectorConformance.readAll(to, ReadRequest(window: ConnectorConformance.defaultWindow))
            #expect(result.mismatches(listed: listed.items) == [])
        }
    }

    /// The checks can fail: a connector that filters contacts by the window is caught.
    @Test func windowFilteringIsCaught() throws {
        let f = try Self.fixture(assignsKeys: false)
        let events = f.connector as! MemoryConnector
        let broken = ContactFixture(
            connector: MemoryConnector(store: events.store, kind: .events), seed: f.seed, stored: f.stored)
        let check = ContactConformance.checks.first { $0.name.hasPrefix("a listing returns every contact") }!
        #expect(throws: ConformanceFailure.self) { try check.run(broken) }
    }
}
