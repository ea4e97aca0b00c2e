import AlmanacCore
import AlmanacWorker
import Foundation
import Glibc

/// `almanac-test-worker worker --profile NAME --profiles DIR --state DIR …`: the end-to-end
/// tests' worker. The daemon runs it instead of `almanac worker` when started with
/// `--worker-executable` (`DaemonHarness.testWorker`); it takes the same arguments and runs the
/// same `WorkerRuntime`, with the hooks its profile file asks for in comment lines:
///
/// - `# almanac-test: exit=N`: exit with N right after `hello`;
/// - `# almanac-test: hang`: never send a heartbeat;
/// - `# almanac-test: run-delay=SECONDS`: each run waits this long before it starts working;
/// - `# almanac-test: retry-delay=SECONDS`: the first retry after a run failed for a passing
///   reason (instead of 30 s; later ones back off from it);
/// - `# almanac-test: garbage`: after `ready`, write a line that is not JSON, lines of an unknown
///   type and of another protocol version, and a line over 1 MiB on the event pipe.
@main
enum TestWorker {
    static func main() {
        var rest = CommandLine.arguments.dropFirst()
        if rest.first == "worker" { rest = rest.dropFirst() }
        var values: [String: String] = [:]
        while let key = rest.popFirst(), key.hasPrefix("--"), let value = rest.popFirst() {
            values[String(key.dropFirst(2))] = value
        }
        guard let name = values["profile"], let profiles = values["profiles"], let state = values["state"] else {
            FileHandle.standardError.write(
                Data("usage: almanac-test-worker worker --profile NAME --profiles DIR --state DIR …\n".utf8))
            exit(64)
        }
        var options = WorkerRuntime.Options(profile: name, profilesDirectory: profiles, stateDirectory: state)
        options.heartbeatInterval = Double(values["heartbeat-ms"].flatMap(Int.init) ?? 5_000) / 1000
        options.idleHeartbeatInterval = values["idle-heartbeat-ms"].flatMap(Int.init).map { Double($0) / 1000 }
        options.supervisorPID = values["supervisor-pid"].flatMap(Int32.init)
        options.configFile = values["config"]
        let hooks = ProfileFileHooks(path: values["config"] ?? profiles + "/" + name + ".toml")
        if let delay = hooks.retryDelay { options.firstRetryDelay = delay }
        exit(WorkerRuntime.runProcess(options: options, json: values["log-format"] == "json", hooks: hooks))
    }
}

/// The hooks named by `# almanac-test: …` lines of a profile file.
struct ProfileFileHooks: WorkerHooks {
    let exit: Int32?
    let hang: Bool
    let runDelay: Double
    let retryDelay: Double?
    let garbage: Bool

    init(path: String) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("# almanac-test: ") }.map { $0.dropFirst(16) }
        func value(_ key: String) -> Substring? {
            lines.first { $0.hasPrefix(key + "=") }.map { $0.dropFirst(key.count + 1) }
        }
        exit = value("exit").flatMap { Int32($0) }
        hang = lines.contains("hang")
        runDelay = value("run-delay").flatMap { Double($0) } ?? 0
        retryDelay = value("retry-delay").flatMap { Double($0) }
        garbage = lines.contains("garbage")
    }

    func exitCode(afterHello profile: Profile) -> Int32? { exit }

    var sendsHeartbeats: Bool { !hang }

    func beforeRun(job: String) {
        if runDelay > 0 { Thread.sleep(forTimeInterval: runDelay) }
    }

    func afterReady(write: (_ bytes: [UInt8]) -> Void) {
        guard garbage else { return }
        for line in [#"{not json"#, #"{"type":"explode","v":1}"#, #"{"state":"idle","type":"status","v":2}"#] {
            write(Array(line.utf8) + [0x0A])
        }
        write([UInt8](repeating: 0x41, count: (1 << 20) + 1) + [0x0A])
    }
}
