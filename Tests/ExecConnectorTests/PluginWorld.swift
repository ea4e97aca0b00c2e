import Foundation
import Testing

/// A temporary world for end-to-end tests of `connector = "exec"`: a profiles directory with one
/// profile `clinic` whose job reads the test plugin `src` (a store of events) and writes the test
/// plugin `dst` (which records every change it receives), run by the built `almanac` binary.
final class PluginWorld {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let plugin = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/memory-plugin.py").path

    static let schemaTap = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schema-tap.py").path
    static let schemas = packageRoot.appendingPathComponent("docs/connector-protocol").path

    static var almanac: String {
        if let bin = ProcessInfo.processInfo.environment["ALMANAC_BIN"], !bin.isEmpty { return bin }
        return packageRoot.appendingPathComponent(".build/debug/almanac").path
    }

    let root: URL
    var profiles: URL { root.appendingPathComponent("profiles.d") }
    var state: URL { root.appendingPathComponent("state") }
    var runtime: URL { root.appendingPathComponent("run") }
    var source: String { root.appendingPathComponent("src.json").path }
    var sink: String { root.appendingPathComponent("dst.json").path }
    var record: String { root.appendingPathComponent("dst.log").path }
    private(set) var daemon: Process?

    init(_ label: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-exec-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
    }

    deinit {
        if let d = daemon, d.isRunning {
            kill(d.processIdentifier, SIGTERM)
            d.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes the profile; `sourceExtra`/`sinkExtra` are added to the connections' tables.
    func writeProfile(sourceExtra: String = "", sinkExtra: String = "") throws {
        let text = """
            timezone = "UTC"
            [schedule]
            manual = true
            [connections.src]
            connector = "exec"
            command = ["\(Self.plugin)", "\(source)", "--name", "source"]
            calendar = "main"
            \(sourceExtra)
            [connections.dst]
            connector = "exec"
            command = ["\(Self.plugin)", "\(sink)", "--record", "\(record)", "--name", "sink"]
            calendar = "other"
            \(sinkExtra)
            [[jobs]]
            name = "j"
            from = "src"
            to = "dst"

            """
        let file = profiles.appendingPathComponent("clinic.toml")
        try Data(text.utf8).write(to: file)
        chmod(file.path, 0o600)
    }

    /// Events `title` → start, stored in `path` as the plugin keeps them.
    func seed(_ path: String, _ events: [(key: String, title: String, start: Date)]) throws {
        var items: [String: Any] = [:]
        for e in events {
            let s = Self.utc(e.start), end = Self.utc(e.start.addingTimeInterval(3600))
            items[e.key] = [
                "version": "1", "event": ["title": e.title, "start": ["date_time": s], "end": ["date_time": end]],
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: ["next": 2, "items": items])
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// The titles in a plugin store, by key.
    func titles(_ path: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let o = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var out: [String: String] = [:]
        for (k, v) in o["items"] as! [String: [String: Any]] {
            out[k] = (v["event"] as! [String: Any])["title"] as? String
        }
        return out
    }

    /// The changes the sink received, one `op key title` string each: its complete lines (the
    /// sink may be writing the last one while this reads).
    func received() throws -> [String] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line not written to its end yet
        return try lines.filter { !$0.isEmpty }.map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return "\(o["op"]!) \(o["key"]!) \(o["title"] as? String ?? "-")"
        }
    }

    static func utc(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    // MARK: the binary

    struct Output {
        var status: Int32
        var out: String
        var err: String
    }

    func almanac(_ arguments: [String]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.almanac)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(
            status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
            err: String(decoding: e, as: UTF8.self))
    }

    func run() throws -> Output {
        try almanac(["run", "clinic", "--profiles", profiles.path, "--state", state.path])
    }

    func startDaemon() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.almanac)
        p.arguments = [
            "daemon", "--profiles", profiles.path, "--state", state.path, "--runtime", runtime.path,
        ]
        let log = root.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        daemon = p
    }

    var daemonLog: String {
        (try? String(contentsOf: root.appendingPathComponent("daemon.log"), encoding: .utf8)) ?? ""
    }

    /// The worker's pid once the daemon says `clinic` is idle.
    func waitIdle(timeout: TimeInterval = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = try almanac(["status", "clinic", "--json", "--runtime", runtime.path])
            if s.status == 0, let o = try? JSONSerialization.jsonObject(with: Data(s.out.utf8)) as? [String: Any],
                o["state"] as? String == "idle", let pid = o["pid"] as? Int
            {
                return Int32(pid)
            }
            usleep(100_000)
        }
        Issue.record("clinic never became idle; daemon log:\n\(daemonLog.suffix(3000))")
        throw CancellationError()
    }

    func sync() throws -> Output {
        try almanac(["sync", "clinic", "--wait", "--runtime", runtime.path])
    }
}

extension PluginWorld {
    /// Changes the title of `key` in a `--feed` plugin's store (its rev moves on).
    func edit(_ path: String, key: String, title: String) throws {
        let url = URL(fileURLWithPath: path)
        var o = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let rev = (o["rev"] as? Int ?? 0) + 1
        var items = o["items"] as! [String: [String: Any]]
        var item = items[key]!
        var event = item["event"] as! [String: Any]
        event["title"] = title
        item["event"] = event
        item["rev"] = rev
        item["version"] = "r\(rev)"
        items[key] = item
        o["items"] = items
        o["rev"] = rev
        try JSONSerialization.data(withJSONObject: o).write(to: url)
    }

    /// The cursors the plugin was asked to read from, in order (nil: a full listing).
    func readCursors(_ path: String) throws -> [String?] {
        let text = (try? String(contentsOfFile: path + ".reads", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0 == "null" ? nil : String($0.dropFirst().dropLast()) }
    }
}
