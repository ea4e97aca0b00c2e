import AlmanacCore
import Foundation

/// Where one job stands for notifications, and the transition a finished run makes
/// (README "Notifications"): the first failed run after a success (or at the first run) is a
/// `failure` (or `reconnect_required`, `mass_delete_blocked`), a failed run while failed is a
/// reminder once `repeat` has passed since the last notice, the first successful run after a
/// failure is a `recovery`. Dry runs change nothing.
public struct JobNotifyState: Sendable, Codable, Hashable {
    /// The job's trouble, or nil while it runs well.
    public var trouble: NotificationEvent?
    /// When the trouble began (the first failed run's start).
    public var since: Date?
    /// When the last notice about it was made (the first one or the last reminder).
    public var lastNotice: Date?
    /// The digest (`ConflictSummary.digest`) of the schedule conflicts last seen, so that a
    /// `conflict` notice goes out only when they change.
    public var conflicts: String?

    public init(trouble: NotificationEvent? = nil, since: Date? = nil, lastNotice: Date? = nil) {
        self.trouble = trouble
        self.since = since
        self.lastNotice = lastNotice
    }

    enum CodingKeys: String, CodingKey {
        case trouble, since
        case lastNotice = "last_notice"
        case conflicts
    }

    /// What a finished run makes of the state: the state after it and, when one is due, the
    /// notification to send. `repeatInterval` nil: no reminders.
    public func next(after report: RunReport, now: Date, repeatInterval: Duration?) -> (
        state: JobNotifyState, notification: Notification?
    ) {
        guard !report.dryRun else { return (self, nil) }
        guard let event = Self.trouble(of: report) else {
            guard trouble != nil else { return (self, nil) }
            return (JobNotifyState(), Notification(event: .recovery, report: report, since: since))
        }
        if trouble == event {
            guard let every = repeatInterval, let last = lastNotice,
                now.timeIntervalSince(last) >= Double(every.components.seconds)
            else { return (self, nil) }
            var state = self
            state.lastNotice = now
            return (state, Notification(event: event, report: report, since: since, reminder: true))
        }
        // A new trouble, or another one than before (a failure became a reconnect): a notice now.
        let began = trouble == nil ? report.started : (since ?? report.started)
        let state = JobNotifyState(trouble: event, since: began, lastNotice: now)
        return (state, Notification(event: event, report: report, since: began))
    }

    /// The trouble a run reports: nil for a success or a partial run.
    static func trouble(of report: RunReport) -> NotificationEvent? {
        switch report.result {
        case .success, .partial: return nil
        case .blocked: return .massDeleteBlocked
        case .failed:
            return code(of: report) == .oauthReconnectRequired ? .reconnectRequired : .failure
        }
    }

    /// The report's error code read back as the catalogue's type (as any reader of a stored or
    /// piped report decodes it), so that it is compared with the catalogue's constants.
    static func code(of report: RunReport) -> ErrorCode? {
        guard let text = report.errorCode, let json = try? JSONEncoder().encode(text) else { return nil }
        return try? JSONDecoder().decode(ErrorCode.self, from: json)
    }
}

/// The notification state of a profile's jobs, kept in `STATE/NAME.notify.json` so that a
/// restarted worker neither sends a notice again nor forgets a failure it has to report the
/// recovery of. Written atomically (a temporary file renamed over it).
public struct NotifyStateFile: Sendable {
    public let path: String

    public init(stateDirectory: String, profile: String) {
        path = stateDirectory + "/" + profile + ".notify.json"
    }

    struct Content: Codable {
        var v = 1
        var jobs: [String: JobNotifyState]
        /// Notices some channel has not taken yet (absent in files of earlier versions).
        var pending: [PendingNotice]?
    }

    /// The jobs' states and the undelivered notices; empty when the file is missing or unreadable
    /// (every job then counts as running well, and its first failed run is reported).
    public func load() -> (jobs: [String: JobNotifyState], pending: [PendingNotice]) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([:], []) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let content = try? decoder.decode(Content.self, from: data) else { return ([:], []) }
        return (content.jobs, content.pending ?? [])
    }

    /// - Throws: the file system's error when the file cannot be written.
    public func save(_ jobs: [String: JobNotifyState], pending: [PendingNotice]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(Content(jobs: jobs, pending: pending.isEmpty ? nil : pending))
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw SystemError(errno: errno) }
    }
}
