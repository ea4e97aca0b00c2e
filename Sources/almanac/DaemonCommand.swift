import AlmanacCore
import AlmanacSupervisor
import AlmanacWorker
import ArgumentParser
import Foundation

struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the supervisor: one worker per profile, the control API, restarts.",
        discussion: """
            Starts one worker per enabled, valid profile in the profiles directory and watches it: a \
            new file starts a worker, an edit restarts only that worker, a removed file stops it. \
            Serves the control API on RUNTIME/almanac.sock (and on --listen with a bearer token). \
            SIGHUP re-reads the profiles; SIGTERM/SIGINT stops every worker and exits 0.
            """
    )

    @Option(help: "Profiles directory (NAME.toml files).") var profiles: String?
    @Option(help: "Templates directory (default: templates.d beside the profiles directory).") var templates: String?
    @Option(help: "State directory (state stores, enable/disable markers).") var state: String?
    @Option(help: "Runtime directory (the control socket).") var runtime: String?
    @Option(
        help: "Also serve the API on TCP: 127.0.0.1:PORT, or ADDRESS:PORT (0.0.0.0:PORT in a pod); needs --token-file.")
    var listen: String?
    @Option(help: "Serve GET /v1/health alone, without a token, on TCP ADDRESS:PORT (for probes).")
    var healthListen: String?
    @Option(help: "Tokens file for --listen: ROLE TOKEN lines, ROLE read, operate or admin (README).")
    var tokenFile: String?
    @Option(
        help: ArgumentHelp(
            "Run only the profiles whose names fall on shard K of N (0 ≤ K < N; almanac shard-of NAME --shards N).",
            valueName: "K/N"))
    var shard: String?
    @Option(help: "The daemon's config file (default: almanac.toml beside the profiles directory; missing: defaults).")
    var config: String?
    @Option(help: "Log format: logfmt or json.") var logFormat: String = "logfmt"
    @Option(
        help: "Rotate each profile's log file (STATE/logs/NAME.log) at this size: bytes, or with K, M, G; 0: never.")
    var logFileMaxSize = "10M"
    @Option(help: "How many log files to keep per profile, NAME.log included.") var logFiles = 5
    @Option(help: .hidden) var heartbeatMs: Int?
    @Option(help: .hidden) var stopTimeoutMs: Int?
    @Option(help: .hidden) var rescanMs: Int?
    @Option(help: .hidden) var maxStarting: Int?
    /// The binary that runs workers (`worker --profile …`): a test harness passes its own.
    @Option(help: .hidden) var workerExecutable: String?
    @Flag(help: "Exec each worker instead of forking it from the worker template (README \"Starting workers\").")
    var noWorkerTemplate = false

    func run() throws {
        guard let format = LogSink.Format(rawValue: logFormat) else {
            throw ValidationError("--log-format takes logfmt or json, got \(logFormat)")
        }
        if listen != nil && tokenFile == nil { throw ValidationError("--listen needs --token-file") }
        guard let logFileBytes = LogRotation.parseSize(logFileMaxSize) else {
            throw ValidationError("--log-file-max-size takes a size like 10M, 512K or 1048576, got \(logFileMaxSize)")
        }
        guard (1...1_000).contains(logFiles) else {
            throw ValidationError("--log-files takes a number from 1 to 1000, got \(logFiles)")
        }
        let sharding: Shard?
        do {
            sharding = try shard.map { spec throws(ShardSpecError) in try Shard(parsing: spec) }
        } catch {
            throw ValidationError(error.message)
        }
        let defaults = AlmanacPaths.defaults()
        var config = SupervisorConfig(
            profilesDirectory: profiles ?? defaults.profiles, stateDirectory: state ?? defaults.state,
            runtimeDirectory: runtime ?? defaults.runtime)
        if let templates { config.templatesDirectory = templates }
        config.logFormat = format
        config.listen = listen
        config.tokenFile = tokenFile
        config.healthListen = healthListen
        config.shard = sharding
        do {
            let file = self.config ?? QuotaConfig.defaultPath(besideProfiles: config.profilesDirectory)
            config.quota = try QuotaConfig.load(path: file).divided(by: sharding?.count ?? 1)
        } catch let error as AlmanacError {
            throw ValidationError(error.message)
        }
        config.logRotation = LogRotation(maxBytes: logFileBytes, files: logFiles)
        if let heartbeatMs { config.heartbeatInterval = Double(heartbeatMs) / 1000 }
        if let stopTimeoutMs { config.stopTimeout = Double(stopTimeoutMs) / 1000 }
        if let rescanMs { config.rescanInterval = Double(rescanMs) / 1000 }
        if let maxStarting { config.maxStarting = max(1, maxStarting) }
        if let workerExecutable { config.executable = workerExecutable }
        config.workerTemplate = !noWorkerTemplate
        let log = LogSink(format: format)
        do {
            let supervisor = try Supervisor(config: config, loader: ConnectorRegistry.loader, log: log)
            let code = try supervisor.run()
            if code != 0 { throw ExitCode(code) }
        } catch let error as AlmanacError {
            if let cause = error.renderedCause {
                log.log("error", error.message, ["error.code": error.code.rawValue, "error.cause": cause])
            } else {
                log.log("error", error.message, ["error.code": error.code.rawValue])
            }
            throw AlmanacExit.failure
        }
    }
}
