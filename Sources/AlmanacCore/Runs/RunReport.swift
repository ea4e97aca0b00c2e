import Foundation

/// Why a run started.
public enum RunTrigger: String, Sendable, Codable, Hashable {
    /// `retry`: the job again, soon after a run that failed for a passing reason (`RunReport.retryable`).
    case schedule, manual, startup, retry
}

/// How to run a job (`almanac sync` / `almanac run` flags).
public struct RunOptions: Sendable, Codable, Hashable {
    public var trigger: RunTrigger
    /// Plan only: print the actions, write nothing (no connector writes, no state changes).
    public var dryRun: Bool
    /// Ignore stored cursors: full listing of the window, reconciled against state.
    public var full: Bool
    /// Re-read what changed since this instant, overriding the stored cursor.
    public var since: Date?
    /// Let a run proceed past the mass-delete guard.
    public var allowMassDelete: Bool
    /// Match the unlinked items of both sides before creating any, as on a job's first run
    /// (`almanac run --relink`).
    public var relink: Bool

    public init(
        trigger: RunTrigger = .manual, dryRun: Bool = false, full: Bool = false, since: Date? = nil,
        allowMassDelete: Bool = false, relink: Bool = false
    ) {
        self.trigger = trigger
        self.dryRun = dryRun
        self.full = full
        self.since = since
        self.allowMassDelete = allowMassDelete
        self.relink = relink
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        trigger = try c.decode(RunTrigger.self, forKey: .trigger)
        dryRun = try c.decode(Bool.self, forKey: .dryRun)
        full = try c.decode(Bool.self, forKey: .full)
        since = try c.decodeIfPresent(Date.self, forKey: .since)
        allowMassDelete = try c.decode(Bool.self, forKey: .allowMassDelete)
        relink = try c.decodeIfPresent(Bool.self, forKey: .relink) ?? false  // absent from older peers
    }
}

/// Items of both sides that a first link found sharing one match key where either side has more
/// than one of them: not linked and not created, reported with both sides' keys.
public struct AmbiguousMatch: Sendable, Codable, Hashable, CustomStringConvertible {
    public var from: [String]
    public var to: [String]

    public init(from: [String], to: [String]) {
        self.from = from
        self.to = to
    }

    /// `a1, a2 (from) ~ t1, t2 (to)`
    public var description: String {
        "\(from.joined(separator: ", ")) (from) ~ \(to.joined(separator: ", ")) (to)"
    }
}

/// Progress of a running job, sent in `status` heartbeats and shown by `sync --wait`.
public struct RunProgress: Sendable, Codable, Hashable {
    /// `reading`, `planning`, `applying`, `writing-back`, `committing`.
    public var phase: String
    public var done: Int
    public var total: Int?

    public init(phase: String, done: Int = 0, total: Int? = nil) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

/// Counts of one direction of a run (`to`: toward the job's `to` side; `from`: write-back).
public struct ActionCounts: Sendable, Codable, Hashable {
    public var created = 0
    public var updated = 0
    public var deleted = 0
    public var confirmed = 0
    public var cancelled = 0
    public var conflicts = 0
    public var skipped = 0
    public var failed = 0
    public var unchanged = 0

    public init() {}

    public var changed: Int { created + updated + deleted + confirmed + cancelled }

    /// `3 created, 1 updated, 96 unchanged`: the non-zero counts, or `nothing` (what `almanac run`
    /// and `almanac sync --wait` print for each direction).
    public var summary: String {
        let parts: [(Int, String)] = [
            (created, "created"), (updated, "updated"), (deleted, "deleted"), (confirmed, "confirmed"),
            (cancelled, "cancelled"), (conflicts, "conflicts"), (skipped, "skipped"), (failed, "failed"),
            (unchanged, "unchanged"),
        ]
        let text = parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        return text.isEmpty ? "nothing" : text
    }
}

public enum RunResult: String, Sendable, Codable, Hashable {
    /// Everything planned was applied.
    case success
    /// Applied, but some items failed (listed in `failures`).
    case partial
    /// The run stopped: nothing or only part was applied (`error` says why).
    case failed
    /// Stopped by a guard (`sync.mass_delete_blocked`) before writing anything.
    case blocked
}

/// One item that could not be synced, with its key and the reason.
public struct ItemFailure: Sendable, Codable, Hashable, CustomStringConvertible {
    public var key: String
    /// `to` or `from`: which side the failed action was aimed at, or which side the bad item came from.
    public var side: String
    public var reason: String

    public init(key: String, side: String, reason: String) {
        self.key = key
        self.side = side
        self.reason = reason
    }

    public var description: String { "\(key) (\(side)): \(reason)" }
}

/// The outcome of one run of one job: what the worker sends as `run_finished` and the state
/// store keeps in its run history.
public struct RunReport: Sendable, Codable, Hashable {
    /// The run's id (`RunReport.newRunID()`), made once where the run starts (the worker's job
    /// loop, or `almanac run`) and carried unchanged by `run_started`/`run_finished`, the log
    /// lines (`run_id`), this report and the run history.
    public var runID: String
    public var profile: String
    public var job: String
    public var trigger: RunTrigger
    public var dryRun: Bool
    public var started: Date
    public var finished: Date
    public var result: RunResult
    /// Toward the `to` side.
    public var toCounts: ActionCounts
    /// Toward the `from` side (write-back of two-way jobs).
    public var fromCounts: ActionCounts
    public var failures: [ItemFailure]
    /// For `failed`/`blocked`: the error's stable code and message.
    public var errorCode: String?
    public var error: String?
    /// The error's cause chain (`AlmanacError.causeChain`: outermost first, secrets redacted); nil
    /// when the error wraps nothing.
    public var cause: [String]?
    /// True when the run failed for a passing reason (a file still being written, `AlmanacError.retryable`):
    /// the worker runs the job again soon instead of waiting for the next scheduled run.
    public var retryable: Bool?
    /// For a retryable run: the retry is not worth making before this moment (a create held back
    /// until the time an earlier attempt's may still land has passed); nil: the usual backoff.
    public var retryNotBefore: Date?
    /// For a run that failed reading one side: that side (`from` or `to`), so the status blames
    /// that side's connection only.
    public var failedSide: String?
    /// Items linked without a write or a create (found on both sides by origin stamp or match key).
    public var linked: Int?
    /// Groups of items a first link could not pair (`AmbiguousMatch`), left unlinked and uncreated.
    public var ambiguous: [AmbiguousMatch]?
    /// The job's schedule conflicts after the run (`conflicts.by`); nil when it declares none.
    public var conflicts: ConflictSummary?

    /// A fresh run id: a lower-case UUID.
    public static func newRunID() -> String { UUID().uuidString.lowercased() }

    public init(
        runID: String, profile: String, job: String, trigger: RunTrigger, dryRun: Bool, started: Date,
        finished: Date, result: RunResult, toCounts: ActionCounts = .init(), fromCounts: ActionCounts = .init(),
        failures: [ItemFailure] = [], errorCode: String? = nil, error: String? = nil
    ) {
        self.runID = runID
        self.profile = profile
        self.job = job
        self.trigger = trigger
        self.dryRun = dryRun
        self.started = started
        self.finished = finished
        self.result = result
        self.toCounts = toCounts
        self.fromCounts = fromCounts
        self.failures = failures
        self.errorCode = errorCode
        self.error = error
    }

    public var durationMS: Int { Int((finished.timeIntervalSince(started) * 1000).rounded()) }
}
