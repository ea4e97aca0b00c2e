import AlmanacCore
import Foundation
import Logging

/// Runs a profile's jobs: instantiates the connectors its profile names (through
/// `ConnectorRegistry`), opens the profile's state store, and drives the sync engine.
///
/// Used by the worker's job loop and by `almanac run` (foreground one-shot). Calls are blocking
/// and must come from one thread at a time.
public final class JobRunner {
    public let profile: Profile
    public let stateDirectory: URL
    public let logger: Logger

    /// - Throws: `AlmanacError` when the state store cannot be opened.
    public init(profile: Profile, stateDirectory: URL, logger: Logger) throws {
        self.profile = profile
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// Runs one job to completion and returns its report (also stored in the run history).
    /// A job-level failure (connection refused, mass-delete guard) is a report with result
    /// `failed`/`blocked`, not a throw; throws only for programming errors such as an unknown job.
    public func run(job: String, options: RunOptions, progress: (RunProgress) -> Void) throws -> RunReport {
        guard profile.jobs.contains(where: { $0.name == job }) else {
            throw AlmanacError("run.unknown_job", "profile \(profile.name) has no job named \"\(job)\"")
        }
        let now = Date()
        return RunReport(runID: UUID().uuidString.lowercased(), profile: profile.name, job: job, trigger: options.trigger,
                         dryRun: options.dryRun, started: now, finished: now, result: .failed,
                         errorCode: "sync.unavailable", error: "the sync engine is not part of this build yet")
    }

    /// Tests each connection of the profile (or only `connection`), by name.
    public func testConnections(only connection: String? = nil) -> [String: ConnectionReport] {
        var out: [String: ConnectionReport] = [:]
        for (name, config) in profile.connections where connection == nil || connection == name {
            out[name] = ConnectionReport(steps: [
                .init(name: "connector", ok: false, detail: "\(config.connector): connection tests are not part of this build yet")
            ])
        }
        return out
    }
}
