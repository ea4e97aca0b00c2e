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
    @Option var supervisorPid: Int32?
    /// The daemon's copy of the profile's last valid version, read instead of the file.
    @Option var config: String?

    func run() throws {
        var options = WorkerRuntime.Options(profile: profile, profilesDirectory: profiles, stateDirectory: state)
        options.heartbeatInterval = Double(heartbeatMs) / 1000
        options.supervisorPID = supervisorPid
        options.configFile = config
        let code = WorkerRuntime.runProcess(options: options, json: logFormat == "json")
        if code != 0 { throw ExitCode(code) }
    }
}
