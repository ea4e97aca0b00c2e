import Foundation

/// A validated profile: one `profiles.d/NAME.toml`, run by one worker.
public struct Profile: Sendable, Hashable {
    public var name: String
    /// The file it was read from.
    public var path: String
    public var enabled: Bool
    public var timeZone: TimeZone
    public var schedule: Schedule
    public var notify: NotifyConfig?
    /// Connections by name.
    public var connections: [String: ConnectionConfig]
    public var jobs: [JobConfig]
    /// SHA-256 of the file's bytes; a change restarts the worker.
    public var configHash: String
    /// How long the run history keeps a run (`[history] retention`, default 90 days).
    public var historyRetention: Duration = Profile.defaultHistoryRetention
    /// The template it was generated from (its `[generated]` table), nil for a hand-written profile.
    public var generatedFrom: String? = nil
    /// `default_region` (ISO 3166 alpha-2, upper case, a region `PhoneNumberingPlan` knows): the
    /// country of contacts' phone numbers written without a country code; nil when not set.
    public var defaultRegion: String? = nil

    /// `[history] retention` when the file does not set it: 90 days.
    public static let defaultHistoryRetention: Duration = .seconds(90 * 86_400)
}

public struct Schedule: Sendable, Hashable {
    public enum Trigger: Sendable, Hashable {
        /// Every interval, counted from the end of the last run's start.
        case every(Duration)
        /// At these wall-clock times in the profile's zone.
        case at([LocalTime])
        /// Only on demand (`almanac sync`).
        case manual
    }

    public var trigger: Trigger
    /// A random delay in `[0, jitter]` added to every scheduled run, so profiles spread out.
    public var jitter: Duration

    public init(trigger: Trigger, jitter: Duration) {
        self.trigger = trigger
        self.jitter = jitter
    }

    /// `every = "1h"`, jitter one tenth of it (at most 5 minutes).
    public static let `default` = Schedule(trigger: .every(.seconds(3_600)), jitter: .seconds(300))
}

/// The `[notify]` table: which events a profile wants to hear of and the channels they go to
/// (README "Notifications"). Secrets (`webhook_secret`, `smtp_password`) stay in `settings` and
/// are read (`Secrets.resolve`) only when a notification is sent.
public struct NotifyConfig: Sendable, Hashable {
    /// What happened. The worker sends the first four on a job's transitions, the supervisor
    /// `fatal` and `invalid`; the worker sends `conflict` when a job's schedule conflicts
    /// (`conflicts.by`) changed since the last one it sent.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case failure, recovery
        case reconnectRequired = "reconnect_required"
        case massDeleteBlocked = "mass_delete_blocked"
        case fatal, invalid
        case conflict
    }

    /// Whether STARTTLS is tried (used when the server offers it) or required on an `smtp://` url.
    public enum StartTLS: String, Sendable, Hashable, CaseIterable { case `try`, require }

    public var on: Set<Event>
    /// A reminder while a job stays failed, at its failed runs, once this long has passed since
    /// the last notice; nil: no reminders (`repeat = "0s"`).
    public var repeatInterval: Duration?
    /// argv of the command; it gets the notification's JSON on stdin.
    public var command: [String]?
    /// How long the command may run before it is killed.
    public var commandTimeout: Duration
    /// The url the JSON is POSTed to.
    public var webhook: String?
    /// Recipients of the mail.
    public var email: [String]
    public var emailFrom: String?
    public var smtpURL: String?
    public var smtpUser: String?
    public var smtpStartTLS: StartTLS
    /// The `[notify]` table as written (the secrets' `KEY_file`/`KEY_env`/`KEY` forms).
    public var settings: ConfigTable
    /// The profile's directory: relative `*_file` paths are resolved against it.
    public var directory: URL

    public init(
        on: Set<Event> = Set(Event.allCases), repeatInterval: Duration? = .seconds(86_400), command: [String]? = nil,
        commandTimeout: Duration = .seconds(30), webhook: String? = nil, email: [String] = [], emailFrom: String? = nil,
        smtpURL: String? = nil, smtpUser: String? = nil, smtpStartTLS: StartTLS = .try,
        settings: ConfigTable = ConfigTable(), directory: URL = URL(fileURLWithPath: "/")
    ) {
        self.on = on
        self.repeatInterval = repeatInterval
        self.command = command
        self.commandTimeout = commandTimeout
        self.webhook = webhook
        self.email = email
        self.emailFrom = emailFrom
        self.smtpURL = smtpURL
        self.smtpUser = smtpUser
        self.smtpStartTLS = smtpStartTLS
        self.settings = settings
        self.directory = directory
    }
}

public struct ConnectionConfig: Sendable, Hashable {
    public var name: String
    /// The connector kind (`odbc`, `csv`, `xml`, `google`, `cronofy`).
    public var connector: String
    /// The connection's settings, without `connector`.
    public var settings: ConfigTable
}

public enum SyncDirection: String, Sendable, Hashable, CaseIterable { case oneWay = "one-way", twoWay = "two-way" }

public enum ConflictPolicy: String, Sendable, Hashable, CaseIterable {
    case fromWins = "from-wins", toWins = "to-wins", newestWins = "newest-wins"
}

public struct ApplyFlags: Sendable, Hashable {
    public var create: Bool
    public var update: Bool
    public var delete: Bool
    public init(create: Bool, update: Bool, delete: Bool) {
        self.create = create
        self.update = update
        self.delete = delete
    }
}

public struct WindowConfig: Sendable, Hashable {
    public var pastDays: Int
    public var futureDays: Int
    public var chunkDays: Int
    public init(pastDays: Int = 7, futureDays: Int = 30, chunkDays: Int = 7) {
        self.pastDays = pastDays
        self.futureDays = futureDays
        self.chunkDays = chunkDays
    }

    /// The window around `now`: from `pastDays` before to `futureDays` after.
    public func window(around now: Date) -> TimeWindow {
        TimeWindow(
            start: now.addingTimeInterval(-Double(pastDays) * 86_400),
            end: now.addingTimeInterval(Double(futureDays) * 86_400))
    }
}

public struct JobConfig: Sendable, Hashable {
    public var name: String
    public var from: String
    public var to: String
    public var direction: SyncDirection
    public var window: WindowConfig
    public var conflict: ConflictPolicy
    /// Fields the `to` side owns even when the policy favours `from`.
    public var toOwns: Set<EventField>
    /// What may be done toward `to`.
    public var apply: ApplyFlags
    /// What may be done toward `from` (two-way jobs).
    public var applyBack: ApplyFlags
    public var includeTentative: Bool
    /// Mustache template for the title when the source row has none.
    public var titleTemplate: String?
    public var phonePriority: [PhoneKind]
    /// Planned deletes above this share of known items stop the run (`sync.mass_delete_blocked`)
    /// when they number at least `massDeleteMin`.
    public var massDeletePercent: Int
    /// Fewer planned deletes than this never stop the run by the percentage rule (`mass_delete_min`).
    public var massDeleteMin: Int
    /// `[jobs.source]`: settings for the `from` connector.
    public var source: ConfigTable
    /// `[jobs.target]`: settings for the `to` connector.
    public var target: ConfigTable
    /// What a first link compares (`match`; `MatchField.defaults` when not set).
    public var match: [MatchField] = MatchField.defaults
    /// What goes from `from` to `to`: `privacy`, `include`, `exclude` (README "Privacy and filters").
    public var outbound = DirectionPolicy()
    /// `conflicts = { by = [...] }`: the fields whose shared values make overlapping appointments
    /// schedule conflicts (`ConflictFinder`); nil when the job declares none.
    public var conflicts: [ConflictField]? = nil
    /// What the job syncs (`kind`, default events).
    public var kind: ItemKind = .events
    /// `groups = ["Google Sync"]` (contacts jobs): only `from` contacts in one of these groups go
    /// to `to`, and only `to` contacts in one of them come back; empty: every contact.
    public var groups: [String] = []
    /// How a contacts job's first link pairs contacts (`match`, `ContactMatchRule.defaults`).
    public var contactMatch: [ContactMatchRule] = ContactMatchRule.defaults
    /// `recurrence`: series as instances (the default) or whole (`RecurrenceMode`).
    public var recurrence: RecurrenceMode = .instances
}
