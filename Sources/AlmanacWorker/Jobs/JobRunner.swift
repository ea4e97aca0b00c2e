import AlmanacCore
import AlmanacSync
import Foundation
import Logging

/// The outcome of one job run with the plan that was applied (or, for a dry run, only planned).
public struct JobRunResult: Sendable {
    public var report: RunReport
    /// One line per planned action (`create  to    A17  new in from`), in order; dry runs only
    /// (what `almanac run --dry-run` prints), empty otherwise.
    public var plan: [String]
}

/// Runs a profile's jobs: instantiates the connectors its profile names (through
/// `ConnectorRegistry`), opens the profile's state store (`STATE_DIR/NAME.sqlite`), and drives
/// the sync engine.
///
/// Used by the worker's job loop and by `almanac run` (foreground one-shot). Calls are blocking
/// and must come from one thread at a time.
public final class JobRunner {
    public let profile: Profile
    public let stateDirectory: URL
    public let logger: Logger
    /// The connector kinds this runner can build (the registry's list unless a test gives its own).
    public let modules: [any ConnectorModule.Type]
    public let store: StateStore
    /// Called at every engine fault point (crash tests).
    public var faultHook: (FaultPoint) -> Void = { _ in }

    /// - Throws: `AlmanacError` (`state.open_failed`) when the state store cannot be opened.
    public convenience init(profile: Profile, stateDirectory: URL, logger: Logger) throws {
        try self.init(
            profile: profile, stateDirectory: stateDirectory, logger: logger, modules: ConnectorRegistry.modules)
    }

    /// - Throws: `AlmanacError` (`state.open_failed`) when the state store cannot be opened.
    public init(profile: Profile, stateDirectory: URL, logger: Logger, modules: [any ConnectorModule.Type]) throws {
        self.profile = profile
        self.stateDirectory = stateDirectory
        self.logger = logger
        self.modules = modules
        do {
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw AlmanacError(
                .stateOpenFailed,
                "cannot create the state directory \(stateDirectory.path): \(error.localizedDescription)", cause: error)
        }
        store = try StateStore(path: stateDirectory.appendingPathComponent("\(profile.name).sqlite").path)
    }

    /// Runs one job to completion and returns its report (also stored in the run history).
    /// `runID` is the run's one id, made by the caller where the run starts (the worker's job
    /// loop sends it in `run_started`); the logs, the report and the history carry it unchanged.
    /// A job-level failure (connection refused, mass-delete guard) is a report with result
    /// `failed`/`blocked`, not a throw; throws only for programming errors such as an unknown job.
    public func run(
        job: String, runID: String = RunReport.newRunID(), options: RunOptions, progress: (RunProgress) -> Void
    ) throws -> RunReport {
        try execute(job: job, runID: runID, options: options, progress: progress).report
    }

    /// As `run`, also returning the plan's lines (what `almanac run --dry-run` prints).
    public func execute(
        job name: String, runID: String = RunReport.newRunID(), options: RunOptions,
        progress: (RunProgress) -> Void = { _ in }
    ) throws -> JobRunResult {
        guard let job = profile.jobs.first(where: { $0.name == name }) else {
            throw AlmanacError(.runUnknownJob, "profile \(profile.name) has no job named \"\(name)\"")
        }
        var log = logger
        log[metadataKey: "job"] = "\(name)"
        let started = Date()
        do {
            let from = try connector(job: job, side: .from)
            let to = try connector(job: job, side: .to)
            guard from.capabilities.contains(.read), to.capabilities.contains(.read) else {
                throw AlmanacError(.configCapability, "job \(name): both sides must be readable")
            }
            let syncJob = try SyncJob(
                profile: profile.name, config: job, timeZone: profile.timeZone, from: from, to: to,
                defaultRegion: profile.defaultRegion)
            let engine = SyncEngine(job: syncJob, from: from, to: to, store: store)
            engine.faultHook = faultHook
            log.info("run started", metadata: ["run_id": "\(runID)", "trigger": "\(options.trigger.rawValue)"])
            let outcome = engine.run(options: options, now: started, runID: runID, progress: progress)
            let r = outcome.report
            var metadata: Logger.Metadata = [
                "run_id": "\(runID)", "result": "\(r.result.rawValue)", "duration_ms": "\(r.durationMS)",
            ]
            if let code = r.errorCode { metadata["error.code"] = "\(code)" }
            if let cause = r.cause { metadata["error.cause"] = "\(cause.joined(separator: " <- "))" }
            if !r.failures.isEmpty { metadata["failures"] = "\(r.failures.count)" }
            log.log(level: Self.level(of: r), "run finished", metadata: metadata)
            return JobRunResult(report: r, plan: options.dryRun ? outcome.actions.map(\.line) : [])
        } catch let error as AlmanacError {
            var report = RunReport(
                runID: runID, profile: profile.name, job: name, trigger: options.trigger,
                dryRun: options.dryRun, started: started, finished: Date(), result: .failed,
                errorCode: error.code.rawValue, error: error.description)
            report.retryable = error.retryable ? true : nil
            if !error.causeChain.isEmpty { report.cause = error.causeChain }
            var metadata: Logger.Metadata = ["run_id": "\(runID)", "error.code": "\(error.code.rawValue)"]
            if let cause = error.renderedCause { metadata["error.cause"] = "\(cause)" }
            log.log(level: Self.level(of: report), "run failed", metadata: metadata)
            report.finished = Date()
            if !options.dryRun { try? store.record(report) }
            return JobRunResult(report: report, plan: [])
        }
    }

    /// The level a finished run is logged at: info for a success, warning for a partial run or
    /// one that failed for a passing reason (it is retried soon), error for any other failure.
    static func level(of report: RunReport) -> Logger.Level {
        switch report.result {
        case .success: return .info
        case .partial: return .warning
        case .failed, .blocked: return report.retryable == true ? .warning : .error
        }
    }

    /// When the profile's schedule next asks for a run (`RunClock.nextRun`), counted from the
    /// latest scheduled or manual run of any of its jobs in the run history; nil when the schedule
    /// is manual only.
    public func nextRun(after now: Date, jitterFraction: Double = Double.random(in: 0...1)) -> Date? {
        let last = profile.jobs.compactMap { job in
            (try? store.runs(job: job.name, limit: 5))?.first { !$0.dryRun }?.started
        }.max()
        return RunClock.nextRun(
            profile.schedule, zone: profile.timeZone, now: now, lastStart: last,
            jitterFraction: jitterFraction)
    }

    /// Deletes the runs of the history that started longer ago than the profile's `[history]
    /// retention`; returns how many. - Throws: the state file's errors.
    @discardableResult
    public func pruneHistory(now: Date = Date()) throws -> Int {
        try store.pruneRuns(startedBefore: now.addingTimeInterval(-Double(profile.historyRetention.components.seconds)))
    }

    /// Tests each connection of the profile (or only `connection`), by name. A connection a job
    /// uses is built with that job's side settings.
    public func testConnections(only connection: String? = nil) -> [String: ConnectionReport] {
        var out: [String: ConnectionReport] = [:]
        for name in profile.connections.keys.sorted() where connection == nil || connection == name {
            let job = profile.jobs.first { $0.from == name || $0.to == name }
            let side: ConnectorContext.Side = job?.to == name ? .to : .from
            do {
                let c = try build(connectionName: name, job: job, side: side)
                out[name] = c.testConnection()
            } catch {
                out[name] = ConnectionReport(steps: [.init(name: "configure", ok: false, detail: "\(error)")])
            }
        }
        return out
    }

    /// The connector of one side of `job`, built as a run builds it (tests drive the engine with it).
    /// - Throws: the module's configuration errors, `config.unknown_connection`/`unknown_connector`.
    public func connector(job: JobConfig, side: ConnectorContext.Side) throws -> any Connector {
        try build(connectionName: side == .from ? job.from : job.to, job: job, side: side)
    }

    private func build(connectionName: String, job: JobConfig?, side: ConnectorContext.Side) throws -> any Connector {
        guard let config = profile.connections[connectionName] else {
            throw AlmanacError(
                .configUnknownConnection, "profile \(profile.name) has no connection \"\(connectionName)\"")
        }
        guard let module = modules.first(where: { $0.kind == config.connector }) else {
            throw AlmanacError(
                .configUnknownConnector,
                "connection \"\(connectionName)\": no connector \"\(config.connector)\" in this build")
        }
        var log = logger
        log[metadataKey: "connector"] = "\(config.connector)"
        var context = ConnectorContext(
            profile: profile.name, job: job?.name ?? "", side: side, connectionName: connectionName,
            connection: config.settings, jobSettings: (side == .from ? job?.source : job?.target) ?? ConfigTable(),
            timeZone: profile.timeZone, stateDirectory: stateDirectory,
            profileDirectory: URL(
                fileURLWithPath: (profile.path as NSString).deletingLastPathComponent, isDirectory: true),
            logger: log, phonePriority: job?.phonePriority ?? [.mobile, .home, .work, .other],
            kind: job?.kind ?? .events, defaultRegion: profile.defaultRegion)
        context.recurrence = job?.recurrence ?? .instances
        let connector = try module.make(context)
        if let job, !connector.kinds.contains(job.kind) {
            throw AlmanacError(
                .configCapability,
                "job \"\(job.name)\": the \(side.rawValue) side, connection \"\(connectionName)\" (connector "
                    + "\(config.connector)), cannot carry \(job.kind.rawValue)")
        }
        return connector
    }
}
