import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// Runs the built `almanac` binary (`ALMANAC_BIN`, else `.build/debug/almanac`) as a daemon on
/// temporary directories, and drives it through its control socket and its CLI.
final class DaemonHarness: @unchecked Sendable {  // @unchecked: used by one test at a time
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["ALMANAC_BIN"], !b.isEmpty { return b }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/almanac").path
    }

    /// `almanac-test-worker`, beside the `almanac` binary.
    static var testWorkerBinary: String {
        URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("almanac-test-worker").path
    }

    let root: String
    /// Another harness's profiles directory, when two daemons share one (`--shard`).
    var sharedProfiles: String?
    var profiles: String { sharedProfiles ?? root + "/profiles.d" }
    var state: String { root + "/state" }
    var runtime: String { root + "/run" }
    var logPath: String { root + "/daemon.log" }
    private(set) var daemon: Process?
    var extraArguments: [String] = ["--heartbeat-ms", "1000", "--stop-timeout-ms", "3000", "--rescan-ms", "1000"]
    /// Run workers with `almanac-test-worker`, which obeys `# almanac-test: …` lines in profile
    /// files (see its doc comment), instead of `almanac worker`.
    var testWorker = false

    init() throws {
        root = NSTemporaryDirectory() + "almanac-e2e-" + UUID().uuidString.prefix(8)
        for d in [profiles, state] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
    }

    deinit {
        if let d = daemon, d.isRunning {
            kill(d.processIdentifier, SIGKILL)
            d.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes `NAME.toml`: two csv connections and one job (manual unless `schedule` says
    /// otherwise), plus `extra` lines.
    func writeProfile(_ name: String, extra: String = "", schedule: String = "manual = true") throws {
        let text = """
            timezone = "UTC"
            \(extra)
            [schedule]
            \(schedule)
            [connections.src]
            connector = "csv"
            path = "\(root)/\(name)-in.csv"
            [connections.dst]
            connector = "csv"
            path = "\(root)/\(name)-out.csv"
            [[jobs]]
            name = "main"
            from = "src"
            to = "dst"

            """
        try write(name + ".toml", text)
    }

    /// Writes a file atomically (temporary + rename), as editors and config tools do.
    func write(_ fileName: String, _ text: String) throws {
        let tmp = profiles + "/." + fileName + ".tmp"
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        chmod(tmp, 0o600)
        guard rename(tmp, profiles + "/" + fileName) == 0 else { throw POSIXError(.EIO) }
    }

    func remove(_ fileName: String) throws { try FileManager.default.removeItem(atPath: profiles + "/" + fileName) }

    /// - Parameter softDescriptorLimit: the daemon starts with this soft limit on open files (a
    ///   shell's `ulimit -Sn`), its hard limit unchanged.
    func start(arguments: [String] = [], environment: [String: String] = [:], softDescriptorLimit: Int? = nil)
        throws
    {
        let p = Process()
        let daemonArguments =
            ["daemon", "--profiles", profiles, "--state", state, "--runtime", runtime] + extraArguments + arguments
            + (testWorker ? ["--worker-executable", Self.testWorkerBinary] : [])
        if let softDescriptorLimit {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments =
                ["-c", "ulimit -Sn \(softDescriptorLimit) && exec \"$0\" \"$@\"", Self.binary] + daemonArguments
        } else {
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = daemonArguments
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        p.environment = env
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        daemon = p
        try waitUntil("the control socket answers", timeout: 10) {
            (try? self.client().request("GET", "/v1/health"))?.status == 200
        }
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let d = daemon else { return -1 }
        kill(d.processIdentifier, signal)
        d.waitUntilExit()
        daemon = nil
        return d.terminationStatus
    }

    func client() -> ControlClient { ControlClient(endpoint: .unix(path: runtime + "/almanac.sock"), timeout: 10) }

    func statuses() throws -> [String: ProfileStatus] {
        let r = try client().request("GET", "/v1/profiles")
        let list = try Wire.decoder().decode(StatusList.self, from: Data(r.body))
        return Dictionary(uniqueKeysWithValues: list.profiles.map { ($0.name, $0) })
    }

    func status(_ name: String) throws -> ProfileStatus? { try statuses()[name] }

    /// Waits until `name` has a ready worker (optionally other than `notPID`); returns its pid.
    @discardableResult
    func waitReady(_ name: String, timeout: Double = 10, notPID: Int32? = nil) throws -> Int32 {
        var pid: Int32 = 0
        try waitUntil("\(name) ready", timeout: timeout) {
            guard let s = try self.status(name), ["ready", "idle", "syncing"].contains(s.state), let p = s.pid,
                p != notPID
            else { return false }
            pid = p
            return true
        }
        return pid
    }

    func waitUntil(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(25_000)
        }
        if try condition() { return }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        Issue.record("timed out after \(timeout)s waiting for \(what); daemon log tail:\n\(log.suffix(3_000))")
        throw TimedOut()
    }

    struct TimedOut: Error {}

    /// Runs the CLI with `--runtime` appended; returns exit code and output.
    func cli(_ arguments: [String], runtimeOption: Bool = true) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments + (runtimeOption ? ["--runtime", runtime] : [])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// True when `pid` is a live process (not a zombie, not gone).
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

/// True when `/proc` still lists `pid` as a zombie.
func isZombie(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}
