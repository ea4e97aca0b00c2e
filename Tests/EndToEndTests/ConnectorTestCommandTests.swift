import AlmanacTestKit
import Foundation
import Testing

/// `almanac connector-test` and `almanac connectors`, run by the built binary against the
/// reference plugins of contrib/connectors and against plugins broken on purpose.
@Suite(
    .serialized, .timeLimit(.minutes(10)),
    .enabled(if: OfficialClientVenv.enabled, Comment(rawValue: OfficialClientVenv.missing)))
struct ConnectorTestCommandTests {
    /// The lines of a report that start with `prefix` (`PASS`, `FAIL`, `SKIP`).
    static func lines(_ out: BinaryRunner.Output, _ prefix: String) -> [String] {
        out.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix + "  ") }
    }

    @Test func theRestPluginPassesEveryApplicableCheck() throws {
        let dir = TempDirectory("ct-rest")
        let server = try ReferencePlugins.restServer(token: "t-123")
        try dir.write("rest.toml", "base_url = \"\(server.baseURL)\"\ntoken_env = \"REST_TOKEN\"\npage_size = 7\n")
        let out = try BinaryRunner.run(
            ["connector-test", "--settings", dir.path + "/rest.toml", "--"] + ReferencePlugins.rest,
            environment: ["REST_TOKEN": "t-123"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(Self.lines(out, "FAIL").isEmpty, "\(out.stdout)")
        #expect(out.stdout.contains("PASS  a delta from a cursor carries changes and deletions"), "\(out.stdout)")
        #expect(out.stdout.contains("PASS  an unreadable item is a problem, not an item"), "\(out.stdout)")
        #expect(
            Self.lines(out, "SKIP") == ["SKIP  confirm and cancel are written back: capability write-back is missing"])
        let checks = ConnectorConformance.checks.count
        #expect(out.stdout.hasSuffix("\(checks + 2) passed, 0 failed, 1 skipped\n"), "\(out.stdout)")
        #expect(!out.stdout.contains("t-123") && !out.stderr.contains("t-123"))
    }

    @Test func theReadOnlyIcsPluginPassesAndSkipsWhatItCannotDo() throws {
        let dir = TempDirectory("ct-ics")
        try dir.write("ics.json", "{\"url\": \"\(dir.path)/feed.ics\"}")
        let out = try BinaryRunner.run(
            ["connector-test", "--settings", dir.path + "/ics.json", "--time-zone", "Europe/Vienna", "--"]
                + ReferencePlugins.ics)
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.hasPrefix("plugin ics 1.0.0 (protocol 1), capabilities: read, test\n"), "\(out.stdout)")
        #expect(Self.lines(out, "FAIL").isEmpty, "\(out.stdout)")
        #expect(out.stdout.contains("PASS  a listing returns each item of the window once"), "\(out.stdout)")
        #expect(
            out.stdout.contains("SKIP  a create is listed with its content and origin: capability write is missing"))
        #expect(
            out.stdout.contains(
                "SKIP  a delta from a cursor carries changes and deletions: capabilities delete, change-feed are missing"
            ))
        #expect(Self.lines(out, "SKIP").count == 10, "\(out.stdout)")
    }

    /// A plugin that says it stores what it is given but lists nothing: the listing checks fail
    /// with the suite's reasons, and the exit status is 1.
    @Test func aBrokenPluginFailsWithAReadableReport() throws {
        let dir = TempDirectory("ct-broken")
        try dir.write("forgetful.py", Self.forgetful, mode: 0o755)
        let out = try BinaryRunner.run(["connector-test", "--", "/usr/bin/python3", dir.path + "/forgetful.py"])
        #expect(out.status == 1, "\(out.stdout)\(out.stderr)")
        #expect(
            out.stdout.contains("FAIL  a listing returns each item of the window once: listed [], want ["),
            "\(out.stdout)")
        #expect(out.stdout.contains("PASS  an empty store lists nothing, completely"), "\(out.stdout)")
        #expect(out.stdout.contains("SKIP  an unreadable item is a problem, not an item: the fixture cannot seed"))
        #expect(out.stdout.contains(" failed, "), "\(out.stdout)")
    }

    @Test func aPluginThatPrintsGarbageFailsAtHello() throws {
        let dir = TempDirectory("ct-garbage")
        try dir.write("garbage.sh", "#!/bin/sh\necho 'Starting up...'\nsleep 5\n", mode: 0o755)
        let out = try BinaryRunner.run(["connector-test", "--", dir.path + "/garbage.sh"])
        #expect(out.status == 1)
        #expect(
            out.stdout.hasPrefix(
                "FAIL  the plugin says hello and gives its settings: exec.protocol_violation: plugin garbage.sh"),
            "\(out.stdout)")
        #expect(out.stdout.contains("\"Starting up...\""), "\(out.stdout)")
        #expect(out.stdout.hasSuffix("0 passed, 1 failed, 0 skipped\n"))
    }

    @Test func unknownSettingsAndUsageErrors() throws {
        let dir = TempDirectory("ct-usage")
        try dir.write("ics.toml", "url = \"/nowhere.ics\"\ncolour = \"blue\"\n")
        let unknown = try BinaryRunner.run(
            ["connector-test", "--settings", dir.path + "/ics.toml", "--"] + ReferencePlugins.ics)
        #expect(unknown.status == 1)
        #expect(
            unknown.stdout.contains(
                "FAIL  the settings match the plugin's spec: colour: the plugin's spec has no such setting"),
            "\(unknown.stdout)")
        let none = try BinaryRunner.run(["connector-test"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("give the plugin's command after --"), "\(none.stderr)")
        try dir.write("bad.toml", "url = \n")
        let bad = try BinaryRunner.run(["connector-test", "--settings", dir.path + "/bad.toml", "--", "/bin/true"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.toml"), "\(bad.stderr)")
    }

    @Test func connectorsListsBuiltInsAndThePluginsOfItsPath() throws {
        let dir = TempDirectory("connectors")
        try FileManager.default.createDirectory(atPath: dir.path + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/plugins/rest", withDestinationPath: ReferencePlugins.rest[0])
        try dir.write("plugins/silent", "#!/bin/sh\nsleep 30\n", mode: 0o755)
        try dir.write("plugins/README", "not a plugin\n")
        let env = ["ALMANAC_CONNECTOR_PATH": dir.path + "/plugins:" + dir.path + "/missing"]
        let out = try BinaryRunner.run(["connectors", "--timeout", "1"], environment: env)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("\n  odbc             SQL databases through unixODBC"), "\(out.stdout)")
        #expect(out.stdout.contains("\n  exec             a plugin program speaking the connector protocol"))
        #expect(
            out.stdout.contains(
                "\n  \(dir.path)/plugins/rest  rest 1.0.0: read, write, delete, change_feed, lookup, test\n"),
            "\(out.stdout)")
        #expect(
            out.stdout.contains(
                "\n  \(dir.path)/plugins/silent  FAILED: exec.start_failed: plugin silent: no line of its hello within 1s"
            ),
            "\(out.stdout)")
        #expect(!out.stdout.contains("README"))

        let json = try BinaryRunner.run(["connectors", "--json", "--timeout", "1"], environment: env)
        let listing = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let kinds = (listing["builtin"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds == ["odbc", "csv", "xml", "google", "google_contacts", "cronofy", "exec"])
        let plugins = try #require(listing["plugins"] as? [[String: Any]])
        #expect(plugins.map { $0["path"] as? String } == [dir.path + "/plugins/rest", dir.path + "/plugins/silent"])
        #expect((plugins[0]["hello"] as? [String: Any])?["name"] as? String == "rest")
        #expect((plugins[1]["error"] as? String)?.hasPrefix("exec.start_failed") == true)
    }

    /// The protocol tests of contrib/connectors/tests (each plugin spoken to line by line).
    @Test func theReferencePluginsProtocolTests() throws {
        let p = Process()
        p.executableURL = OfficialClientVenv.python
        p.arguments = ["-m", "unittest", "discover", "-s", ReferencePlugins.root.appendingPathComponent("tests").path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("\nOK"), "\(text)")
    }

    /// Hello, spec, the test messages; `test_seed` answers keys but stores nothing.
    static let forgetful = """
        import json, sys
        def send(o): print(json.dumps({"v": 1, **o}), flush=True)
        send({"type": "hello", "protocol": 1, "name": "forgetful", "version": "0.1", "kinds": ["event"],
              "capabilities": ["read", "test"]})
        for line in sys.stdin:
            r = json.loads(line); t = r["type"]; re = r["id"]
            if t == "spec": send({"type": "spec", "re": re, "settings": {"type": "object", "properties": {}}})
            elif t == "configure": send({"type": "configured", "re": re})
            elif t == "test_reset": send({"type": "test_done", "re": re})
            elif t == "test_seed": send({"type": "test_seeded", "re": re, "keys": [str(i) for i in range(len(r["events"]))]})
            elif t == "test_dump": send({"type": "test_done", "re": re})
            elif t == "test_connection": send({"type": "test_result", "re": re, "steps": [{"name": "n", "ok": True, "detail": "d"}]})
            elif t == "read": send({"type": "page_end", "re": re, "coverage": "complete", "continuation": None, "cursor": None})
            elif t == "shutdown": send({"type": "bye", "re": re}); break
            else: send({"type": "error", "re": re, "code": "unsupported", "message": t, "retryable": False})
        """
}
