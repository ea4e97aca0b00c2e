import AlmanacCore
import AlmanacTestKit
import ExecConnector
import Foundation
import Logging
import Testing

/// The connector conformance suite (AlmanacTestKit) on the exec connector, through the test
/// plugin (`Fixtures/memory-plugin.py`): its store is seeded and read back with the protocol's
/// test messages (`test_seed`, `test_dump`), which bypass the plugin's write path. Every line
/// both ways passes `Fixtures/schema-tap.py`, which checks it against docs/connector-protocol/
/// (Python's jsonschema, from the project's venv: contrib/conformance/requirements.txt).
@Suite(.timeLimit(.minutes(10)))
struct ExecConformanceTests {
    /// Every check, with the plugin's change feed off and on (`--feed`).
    @Test(arguments: ConnectorConformance.checks, [false, true])
    func conformance(_ check: ConformanceCheck, feed: Bool) throws {
        guard OfficialClientVenv.enabled else { return }  // the tap's jsonschema lives in the venv
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-exec-conf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Every line both ways is checked against the protocol's JSON Schemas on the way.
        let report = dir.appendingPathComponent("schema-report.jsonl")
        let command = PluginCommand(
            arguments: [
                OfficialClientVenv.python.path, PluginWorld.schemaTap, PluginWorld.schemas, report.path, "--",
                PluginWorld.plugin,
            ]
                + [dir.appendingPathComponent("store.json").path] + (feed ? ["--feed"] : []))
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
        connector.process.shutdown()
        let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
        let tap = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(tap["errors"] as? [String] == [], "messages that break the schemas: \(tap["errors"]!)")
        #expect((tap["counts"] as? [String: Int])?["almanac:configure"] == 1)
    }
}
