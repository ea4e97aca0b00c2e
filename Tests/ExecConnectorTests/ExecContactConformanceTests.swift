import AlmanacCore
import AlmanacTestKit
import ExecConnector
import Foundation
import Logging
import Testing

/// The contact checks of the conformance suite (AlmanacTestKit) on the exec connector, through
/// the test plugin (`Fixtures/memory-plugin.py --contacts`), which stores contacts in a file:
/// the connector configured for a contacts job (`configure.kind = "contact"`), contacts carried
/// as `contact` objects both ways, its store seeded and read back with `test_seed`/`test_dump`.
@Suite(.timeLimit(.minutes(10)))
struct ExecContactConformanceTests {
    /// The plugin storing contacts in `dir/store.json`, through the schema tap
    /// (`Fixtures/schema-tap.py`, which checks every line both ways against
    /// docs/connector-protocol/ and writes `dir/schema-report.jsonl`) when the project's venv is
    /// there, else on its own.
    static func connector(_ dir: URL, extra: [String] = []) throws -> ExecConnector {
        let plugin = [PluginWorld.plugin, dir.appendingPathComponent("store.json").path, "--contacts"] + extra
        let tap = [
            OfficialClientVenv.python.path, PluginWorld.schemaTap, PluginWorld.schemas,
            dir.appendingPathComponent("schema-report.jsonl").path, "--",
        ]
        let command = PluginCommand(
            arguments: OfficialClientVenv.enabled ? tap + plugin : ["/usr/bin/env", "python3"] + plugin)
        return try ExecConnector(command: command, poolKey: nil, logger: Logger(label: "test")) { _ in
            ExecConnector.Configuration(
                profile: "p", connection: "c", side: .to, settings: JSONObject(["calendar": "x"]), secrets: [:],
                timeZone: "UTC", kind: .contacts)
        }
    }

    /// The tap's findings once the plugin has stopped: the messages that break the schemas.
    static func schemaErrors(_ dir: URL) throws -> [String] {
        guard OfficialClientVenv.enabled else { return [] }
        let text = try String(contentsOf: dir.appendingPathComponent("schema-report.jsonl"), encoding: .utf8)
        let report = try JSONSerialization.jsonObject(with: Data(text.split(separator: "\n")[0].utf8))
        return (report as? [String: Any])?["errors"] as? [String] ?? ["no report"]
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-exec-contacts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: ContactConformance.checks)
    func conformance(_ check: ContactCheck) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let connector = try Self.connector(dir)
        try connector.testReset()
        #expect(connector.kinds == [.events, .contacts])
        #expect(connector.contactShape == .full)
        try check.run(
            ContactFixture(
                connector: connector, seed: { try connector.testSeed($0.map { $0.envelope() }) },
                stored: { try connector.testDump().compactMapValues(\.contact) }))
        connector.process.shutdown()
        #expect(try Self.schemaErrors(dir) == [])
    }

    /// Through the engine: the origin stamps the plugin stores keep a lost state from creating
    /// the contacts again (`ContactStampScenario`).
    @Test func stampsSurviveALostState() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let connector = try Self.connector(dir)
        let result = try ContactStampScenario.run(try ContactStampScenario.harness(), to: connector)
        let listed = try ConnectorConformance.readAll(
            connector, ReadRequest(window: ConnectorConformance.defaultWindow))
        #expect(result.mismatches(listed: listed.items) == [])
        connector.process.shutdown()
        #expect(try Self.schemaErrors(dir) == [])
    }

    /// The hello's `contact_shape` is the connector's, members left out storing their part whole.
    @Test func theHelloDeclaresTheShape() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shape = #"{"names":["given","family"],"emails":2,"email_kinds":1,"phone_kinds":["mobile"],"address":[]}"#
        let connector = try Self.connector(dir, extra: [shape])
        var want = ContactShape.full
        want.names = [.given, .family]
        want.emails = 2
        want.emailKinds = 1
        want.phoneKinds = [.mobile]
        want.addressParts = []
        #expect(connector.contactShape == want)
        // Contacts travel as `contact` objects: what the plugin stores is the protocol's JSON.
        let ann = Contact(
            givenName: "Ann", emails: [ContactEmail("ann@example.com", kind: .work)],
            phones: [ContactPhone("+14155552671", kind: .mobile)], address: PostalAddress(city: "Springfield"),
            birthday: CivilDate(year: 1980, month: 5, day: 17), groups: ["VIP"], custom: ["chart_no": "7"])
        _ = try connector.write([.create(id: "c1", event: ann.envelope(origin: "o1"))])
        let stored =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: dir.appendingPathComponent("store.json"))) as! [String: Any]
        let item = (stored["items"] as! [String: Any])["c1"] as! [String: Any]
        let contact = try #require(item["contact"] as? [String: Any])
        #expect(item["event"] == nil)
        #expect(contact["given_name"] as? String == "Ann")
        #expect(contact["emails"] as? [[String: String]] == [["address": "ann@example.com", "kind": "work"]])
        #expect(contact["phones"] as? [[String: String]] == [["number": "+14155552671", "kind": "mobile"]])
        #expect(contact["address"] as? [String: String] == ["city": "Springfield"])
        #expect(contact["birthday"] as? String == "1980-05-17")
        #expect(contact["groups"] as? [String] == ["VIP"])
        #expect(contact["custom"] as? [String: String] == ["chart_no": "7"])
        #expect(contact["origin"] as? String == "o1")
        #expect(try connector.testDump()["c1"] == ann.envelope(origin: "o1"))
        connector.process.shutdown()
        #expect(try Self.schemaErrors(dir) == [])
    }

    /// A contact the plugin returns from `lookup` that cannot be read fails the lookup: left out,
    /// it would be confirmed absent and its copy on the other side deleted.
    @Test func anUnreadableContactFailsTheLookup() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = """
            {"next": 3, "items": {
              "c1": {"version": "1", "contact": {"given_name": "Ann", "emails": [{"address": "a@example.com", "kind": "pager"}]}},
              "c2": {"version": "1", "contact": {"given_name": "Bob"}}}}
            """
        try store.write(to: dir.appendingPathComponent("store.json"), atomically: true, encoding: .utf8)
        let connector = try Self.connector(dir)
        defer { connector.process.shutdown() }
        #expect(try connector.lookup(["c2"]).map(\.event.contact?.givenName) == ["Bob"])
        let error = #expect(throws: AlmanacError.self) { try connector.lookup(["c1", "c2"]) }
        #expect(error?.code == .execPluginError)
        #expect(
            error?.message
                == "plugin \(connector.process.label) sent emails that needs an address and a kind home, work or "
                + "other (key c1): an item that cannot be read is not taken for absent")
    }

    /// A plugin whose hello leaves `kinds` out carries events only, as before.
    @Test func anOldPluginCarriesEventsOnly() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = PluginCommand(
            arguments: ["/usr/bin/env", "python3", PluginWorld.plugin, dir.appendingPathComponent("store.json").path])
        let connector = try ExecConnector(command: command, poolKey: nil, logger: Logger(label: "test")) { _ in
            ExecConnector.Configuration(
                profile: "p", connection: "c", side: .to, settings: JSONObject(["calendar": "x"]), secrets: [:],
                timeZone: "UTC")
        }
        defer { connector.process.shutdown() }
        #expect(connector.kinds == [.events])
    }
}
