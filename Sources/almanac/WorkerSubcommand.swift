import AlmanacCore
import AlmanacWorker
import ArgumentParser
import Foundation

/// `almanac worker`: internal, started by the daemon with fd 3/4 as its pipes.
struct WorkerSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one profile's worker (internal: started by `almanac daemon`).",
        shouldDisplay: false
    )

    @Option var profile: String
    @Option var profiles: String
    @Option var state: String
    @Option var logFormat: String = "logfmt"
    @Option var heartbeatMs: Int = 5_000
    /// The heartbeat's interval while no job runs (default: 3 × --heartbeat-ms).
    @Option var idleHeartbeatMs: Int?
    @Option var supervisorPid: Int32?
    /// The daemon's copy of the profile's last valid version, read instead of the file.
    @Option var config: String?

    func run() throws {
        let code = Self.run(
            profile: profile, profiles: profiles, state: state, logFormat: logFormat, heartbeatMs: heartbeatMs,
            idleHeartbeatMs: idleHeartbeatMs, supervisorPid: supervisorPid, config: config)
        if code != 0 { throw ExitCode(code) }
    }

    private static func run(
        profile: String, profiles: String, state: String, logFormat: String, heartbeatMs: Int, idleHeartbeatMs: Int?,
        supervisorPid: Int32?, config: String?
    ) -> Int32 {
        var options = WorkerRuntime.Options(profile: profile, profilesDirectory: profiles, stateDirectory: state)
        options.heartbeatInterval = Double(heartbeatMs) / 1000
        options.idleHeartbeatInterval = idleHeartbeatMs.map { Double($0) / 1000 }
        options.supervisorPID = supervisorPid
        options.configFile = config
        return WorkerRuntime.runProcess(options: options, json: logFormat == "json")
    }

    /// `almanac worker --key value …` exactly as the daemon writes it, run without ArgumentParser:
    /// building its command tree was 60% of a worker's start-up CPU (each first use of a generic
    /// type scans the static binary's protocol conformances), and a thousand profiles start a
    /// thousand workers. Returns the exit code, or nil for any other command line (an unknown or
    /// repeated option, a missing value, `--help`), which then goes through ArgumentParser.
    static func runWithoutParser(_ arguments: [String]) -> Int32? {
        if arguments.count == 6, arguments[1] == "worker-template", arguments[2] == "--supervisor-pid",
            let pid = Int32(arguments[3]), arguments[4] == "--room"
        {
            // The daemon's worker template (WorkerTemplate): each worker it forks runs here.
            return WorkerTemplate.serve(supervisorPID: pid) { runWithoutParser(["almanac"] + $0) ?? 64 }
        }
        guard arguments.count > 1, arguments[1] == "worker" else { return nil }
        let known: Set = [
            "--profile", "--profiles", "--state", "--log-format", "--heartbeat-ms", "--idle-heartbeat-ms",
            "--supervisor-pid", "--config",
        ]
        var values: [String: String] = [:]
        var rest = arguments[2...]
        while let key = rest.popFirst() {
            guard known.contains(key), values[key] == nil, let value = rest.popFirst(), !value.hasPrefix("-") else {
                return nil
            }
            values[key] = value
        }
        guard let profile = values["--profile"], let profiles = values["--profiles"], let state = values["--state"]
        else { return nil }
        func number<T: FixedWidthInteger>(_ key: String, _: T.Type) -> T?? {
            guard let text = values[key] else { return .some(nil) }
            return T(text).map { .some($0) }
        }
        guard let heartbeatMs = number("--heartbeat-ms", Int.self),
            let idleMs = number("--idle-heartbeat-ms", Int.self), let pid = number("--supervisor-pid", Int32.self)
        else { return nil }
        return run(
            profile: profile, profiles: profiles, state: state, logFormat: values["--log-format"] ?? "logfmt",
            heartbeatMs: heartbeatMs ?? 5_000, idleHeartbeatMs: idleMs, supervisorPid: pid, config: values["--config"])
    }
}
