import AlmanacCore
import AlmanacWorker
import ArgumentParser
import Foundation
import Logging

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

    func run() throws {
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, json: json) }
        var options = WorkerRuntime.Options(profile: profile, profilesDirectory: profiles, stateDirectory: state)
        options.heartbeatInterval = Double(heartbeatMs) / 1000
        options.supervisorPID = supervisorPid
        let logger = Logger(label: "almanac.worker")
        let code = WorkerRuntime(options: options, logger: logger).run(loader: ConnectorRegistry.loader)
        if code != 0 { throw ExitCode(code) }
    }
}
