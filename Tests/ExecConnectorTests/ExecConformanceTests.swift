import AlmanacCore
import AlmanacTestKit
import ExecConnector
import Foundation
import Logging
import Testing

/// The connector conformance suite (AlmanacTestKit) on the exec connector, through the test
/// plugin (`Fixtures/memory-plugin.py`): its store is seeded and read back with the protocol's
/// test messages (`test_seed`, `test_dump`), which bypass the plugin's write path.
@Suite(.timeLimit(.minutes(5)))
struct ExecConformanceTests {
    /// Every check, with the plugin's change feed off and on (`--feed`).
    @Test(arguments: ConnectorConformance.checks, [false, true])
    func conformance(_ check: ConformanceCheck, feed: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-exec-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = PluginCommand(
            arguments: [PluginWorld.plugin, dir.appendingPathComponent("store.json").path] + (feed ? ["--feed"] : []))
        let connector = try ExecConnector(command: command, poolKey: nil, logger: Logger(label: "test")) { _ in
            ExecConnector.Configuration(
                profile: "p", connection: "c", side: .to, settings: JSONObject(["calendar": "x"]), secrets: [:],
                timeZone: "UTC")
        }
        try connector.testReset()
        #expect(connector.capabilities.contains(.changeFeed) == feed)
        try check.run(
            ConformanceFixture(
                connector: connector, window: ConnectorConformance.defaultWindow, seed: { try connector.testSeed($0) },
                stored: { try connector.testDump() }, deterministicCreates: true, versions: true))
    }
}
