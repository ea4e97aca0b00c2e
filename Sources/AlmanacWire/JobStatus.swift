import AlmanacCore
import Foundation

/// One job of a profile in `ProfileStatus.jobs`: its latest real run (what the profile's health
/// counts) and its latest dry run (shown, never counted).
public struct JobStatus: Codable, Sendable, Hashable {
    public var name: String
    public var lastRun: RunSummary?
    public var lastDryRun: RunSummary?

    enum CodingKeys: String, CodingKey {
        case name
        case lastRun = "last_run", lastDryRun = "last_dry_run"
    }

    public init(name: String, lastRun: RunSummary? = nil, lastDryRun: RunSummary? = nil) {
        self.name = name
        self.lastRun = lastRun
        self.lastDryRun = lastDryRun
    }

    /// True when the latest real run failed or was blocked.
    public var failing: Bool { lastRun.map { $0.result == "failed" || $0.result == "blocked" } ?? false }
}

/// `GET /v1/profiles/NAME/runs` and `almanac history NAME --json`: the stored run history,
/// newest first.
public struct RunHistory: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var profile: String
    public var runs: [RunSummary]

    public init(profile: String, runs: [RunSummary]) {
        self.profile = profile
        self.runs = runs
    }
}

extension RunSummary {
    /// From a stored run report (the run history).
    public init(_ r: RunReport) {
        self.runID = r.runID
        self.job = r.job
        self.trigger = r.trigger.rawValue
        self.result = r.result.rawValue
        self.started = r.started
        self.finished = r.finished
        self.durationMS = r.durationMS
        self.to = r.toCounts
        self.from = r.fromCounts
        self.errorCode = r.errorCode
        self.error = r.error
        self.cause = r.cause
        self.dryRun = r.dryRun ? true : nil
    }
}
