import AlmanacCore
import ExecConnector
import Foundation
import Logging
import Testing

/// The plugin process as `ExecModule.make` starts it: what it gets on its command line, in its
/// environment and in `configure`, and when it is kept between runs.
@Suite(.serialized, .timeLimit(.minutes(10)))
final class ExecProcessTests {
    /// A plugin that writes, at start, its argv, environment and pid to `DIR/start-PID.json`, and
    /// each `configure` message to `DIR/configure.json`.
    static let recorder = """
        #!/usr/bin/env python3
        import json, os, sys
        d = sys.argv[1]
        with open(os.path.join(d, "start-%d.json" % os.getpid()), "w") as f:
            json.dump({"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd()}, f)
        def send(o):
            sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
        send({"v": 1, "type": "hello", "protocol": 1, "name": "recorder", "version": "2", "kinds": ["event"],
              "capabilities": ["read"]})
        for line in sys.stdin:
            m = json.loads(line)
            if m["type"] == "spec":
                send({"v": 1, "type": "spec", "re": m["id"], "settings": {"type": "object", "properties": {
                    "token": {"type": "string", "secret": True}, "url": {"type": "string"}}}})
            elif m["type"] == "configure":
                with open(os.path.join(d, "configure.json"), "w") as f:
                    json.dump(m, f)
                send({"v": 1, "type": "configured", "re": m["id"]})
            elif m["type"] == "shutdown":
                send({"v": 1, "type": "bye", "re": m["id"]})
                break
        """

    let dir: URL
    let plugin: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-exec-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        plugin = dir.appendingPathComponent("recorder.py").path
        try Data(Self.recorder.utf8).write(to: URL(fileURLWithPath: plugin))
        chmod(plugin, 0o755)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func context(connection: String, _ extra: [String: ConfigValue]) -> ConnectorContext {
        var table = ConfigTable([
            "command": .array([.string("recorder.py"), .string(dir.path)]), "url": .string("https://example.org"),
        ])
        for (k, v) in extra { table[k] = v }
        return ConnectorContext(
            profile: "clinic", job: "j", side: .from, connectionName: connection, connection: table,
            jobSettings: ConfigTable(["tag": .string("x")]), timeZone: TimeZone(identifier: "Europe/Vienna")!,
            stateDirectory: dir, profileDirectory: dir, logger: Logger(label: "test"))
    }

    func starts() throws -> [[String: Any]] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("start-") }.sorted().map {
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent($0))) as! [String: Any]
        }
    }

    @Test func aSecretReachesThePluginOnlyInConfigure() throws {
        let secret = "s3cr3t-\(UUID().uuidString)"
        setenv("ALMANAC_EXEC_TEST_SECRET", secret, 1)
        setenv("ALMANAC_EXEC_TEST_OTHER", "1", 1)
        defer {
            unsetenv("ALMANAC_EXEC_TEST_SECRET")
            unsetenv("ALMANAC_EXEC_TEST_OTHER")
        }
        let c = try ExecModule.make(
            context(
                connection: "secret",
                [
                    "token_env": .string("ALMANAC_EXEC_TEST_SECRET"), "reuse": .bool(false),
                    "env": .table(ConfigTable(["MODE": .string("test")])),
                ]))
        #expect((c as? ExecConnector)?.hello.name == "recorder")
        let start = try #require(try starts().first)
        let argv = start["argv"] as! [String]
        let env = start["env"] as! [String: String]
        #expect(argv == [plugin, dir.path])
        #expect(!argv.joined().contains(secret))
        #expect(!env.values.contains { $0.contains(secret) })
        #expect(env["ALMANAC_EXEC_TEST_SECRET"] == nil)
        #expect(env["MODE"] == "test")
        #expect(env["ALMANAC_EXEC_TEST_OTHER"] == nil, "almanac's environment is not passed on")
        // PATH is passed on (python3 through pyenv may put its own directories in front).
        #expect(env["PATH"]?.hasSuffix(ProcessInfo.processInfo.environment["PATH"] ?? "-") == true)
        #expect(start["cwd"] as? String == dir.path)
        let configure =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("configure.json")))
            as! [String: Any]
        #expect(configure["secrets"] as? [String: String] == ["token": secret])
        let settings = configure["settings"] as! [String: Any]
        #expect(Set(settings.keys) == ["url", "job"])
        #expect(settings["job"] as? [String: String] == ["tag": "x"])
        #expect(configure["side"] as? String == "from")
        #expect(configure["time_zone"] as? String == "Europe/Vienna")
    }

    @Test func aConnectionKeepsItsProcessAcrossRunsWhenItMay() throws {
        for _ in 0..<3 { _ = try ExecModule.make(context(connection: "kept", [:])) }
        #expect(try starts().count == 1, "reuse = true (the default) starts one process for three runs")
        for _ in 0..<2 { _ = try ExecModule.make(context(connection: "fresh", ["reuse": .bool(false)])) }
        #expect(try starts().count == 3, "reuse = false starts one per run")
    }

    /// A kept process that died while idle is replaced at the next run, which goes through.
    @Test func aKeptProcessThatDiedIsReplaced() throws {
        _ = try ExecModule.make(context(connection: "dies", [:]))
        let first = try #require(try starts().first)
        let pid = try #require((first["argv"] as? [String]).flatMap { _ in try? pids().first })
        kill(pid, SIGKILL)
        usleep(100_000)
        let c = try ExecModule.make(context(connection: "dies", [:]))
        #expect((c as? ExecConnector)?.hello.name == "recorder")
        #expect(try pids().count == 2)
    }

    func pids() throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("start-") }.compactMap {
            Int32($0.dropFirst(6).dropLast(5))
        }
    }
}
