import AlmanacCore
import Foundation
import Glibc

/// What a notification is about: the `[notify]` events, plus `test` (`almanac notify-test`).
public enum NotificationEvent: String, Sendable, Codable, Hashable, CaseIterable {
    case failure, recovery
    case reconnectRequired = "reconnect_required"
    case massDeleteBlocked = "mass_delete_blocked"
    case fatal, invalid, conflict, test

    public init(_ event: NotifyConfig.Event) { self = Self(rawValue: event.rawValue)! }

    /// The `on = [...]` entry that selects it; nil for `test`, which every channel always gets.
    public var selector: NotifyConfig.Event? { NotifyConfig.Event(rawValue: rawValue) }
}

/// The one report every channel carries (README "Notifications"), version `v` 1: the command's
/// stdin, the webhook's body and the mail's facts. Holds no secret: error texts are the
/// `AlmanacError` messages, which never carry one.
public struct Notification: Sendable, Codable, Hashable {
    public struct ErrorInfo: Sendable, Codable, Hashable {
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public struct Counts: Sendable, Codable, Hashable {
        /// Toward the job's `to` side, and written back toward `from`.
        public var to: ActionCounts
        public var from: ActionCounts
    }

    public static let version = 1
    public var v = Notification.version
    public var event: NotificationEvent
    /// True for a reminder that the job is still failed (`repeat`).
    public var reminder = false
    public var profile: String
    public var job: String?
    /// When the trouble began (the first failed run, the supervisor's finding); for `recovery`,
    /// when the failure it ends began.
    public var since: Date?
    /// When this notification was made.
    public var at: Date
    public var host: String
    public var runID: String?
    public var error: ErrorInfo?
    public var counts: Counts?
    /// The command an administrator runs once the cause is fixed.
    public var retry: String?
    /// For `conflict`: the job's schedule conflicts after the run (a count and the first pairs).
    public var conflicts: ConflictSummary?

    public init(
        event: NotificationEvent, profile: String, job: String? = nil, since: Date? = nil, at: Date = Date(),
        runID: String? = nil, error: ErrorInfo? = nil, counts: Counts? = nil, retry: String? = nil
    ) {
        self.event = event
        self.profile = profile
        self.job = job
        self.since = since
        self.at = at
        self.host = Self.hostName
        self.runID = runID
        self.error = error
        self.counts = counts
        self.retry = retry
    }

    enum CodingKeys: String, CodingKey {
        case v, event, reminder, profile, job, since, at, host
        case runID = "run_id"
        case error, counts, retry, conflicts
    }

    /// The notification for a finished run of a job (`event` decided by `JobNotifyState`).
    public init(event: NotificationEvent, report: RunReport, since: Date?, reminder: Bool = false) {
        self.init(
            event: event, profile: report.profile, job: report.job, since: since, runID: report.runID,
            error: report.errorCode.map { ErrorInfo(code: $0, message: report.error ?? "") },
            counts: Counts(to: report.toCounts, from: report.fromCounts))
        self.reminder = reminder
        switch event {
        case .reconnectRequired:
            retry = Self.reauthorize(report, kind: "google|cronofy", connection: "CONNECTION")
        case .massDeleteBlocked:
            retry = "almanac sync \(report.profile) --job \(report.job) --allow-mass-delete"
        case .failure:
            retry = "almanac sync \(report.profile) --job \(report.job)"
        default: retry = nil
        }
    }

    /// The `retry` of a `reconnect_required` report: authorize the connection again, then sync.
    /// `RunNotifications` names the connection when the profile says which one it is.
    static func reauthorize(_ report: RunReport, kind: String, connection: String) -> String {
        "almanac auth \(kind) --connection \(connection) \(report.profile), "
            + "then almanac sync \(report.profile) --job \(report.job)"
    }

    /// This machine's name as `gethostname(2)` gives it (no DNS lookup, which could hang).
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self)
    }()

    /// The JSON text: keys sorted, dates in ISO 8601 (UTC), one line.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)) ?? Data()
    }

    public static func decode(_ data: Data) throws -> Notification {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Notification.self, from: data)
    }
}
