/// What to create: `almanac new` and `POST /v1/profiles` both build one.
public struct ProvisionRequest: Sendable, Hashable {
    public var name: String
    public var template: String
    /// Values of non-secret parameters (text from `--set`, typed from JSON).
    public var values: [String: ConfigValue]
    /// Values of secret parameters: written to `STATE/secrets/NAME/PARAMETER`, never into the profile.
    public var secrets: [String: [UInt8]]
    /// Replaces the template's `[schedule]`; nil keeps it.
    public var schedule: ScheduleSpec?
    /// `false` writes `enabled = false`; nil keeps what the template says.
    public var enabled: Bool?

    public init(
        name: String, template: String, values: [String: ConfigValue] = [:], secrets: [String: [UInt8]] = [:],
        schedule: ScheduleSpec? = nil, enabled: Bool? = nil
    ) {
        self.name = name
        self.template = template
        self.values = values
        self.secrets = secrets
        self.schedule = schedule
        self.enabled = enabled
    }
}

/// A schedule as partner platforms give it: every interval, at times of day, or manual only.
public struct ScheduleSpec: Sendable, Hashable {
    public enum Trigger: Sendable, Hashable {
        /// A duration in the profile syntax: `15m`, `1h`, `1d`.
        case every(String)
        /// Times of day `HH:MM` in the profile's time zone.
        case at([String])
        case manual
    }

    public var trigger: Trigger
    /// A duration (`30s`, `5m`); nil: the profile's default.
    public var jitter: String?

    public init(trigger: Trigger, jitter: String? = nil) {
        self.trigger = trigger
        self.jitter = jitter
    }

    /// The `[schedule]` table it writes.
    public var table: ConfigTable {
        var t = ConfigTable()
        switch trigger {
        case .every(let d): t["every"] = .string(d)
        case .at(let times): t["at"] = .array(times.map { .string($0) })
        case .manual: t["manual"] = .bool(true)
        }
        if let jitter { t["jitter"] = .string(jitter) }
        return t
    }
}

/// Why a provisioning call did nothing. `problems` lists every problem of an `.invalid` one.
public struct ProvisionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A malformed name or argument (HTTP 400).
        case badRequest
        /// No such template or profile (404).
        case notFound
        /// A profile of that name exists (409 `profile.exists`).
        case exists
        /// The profile was not generated from a template (409 `profile.not_managed`).
        case notManaged
        /// Values or the rendered profile are invalid (422, every problem listed).
        case invalid
        /// Writing failed (500); nothing was left behind.
        case failed
    }

    public var kind: Kind
    public var code: ErrorCode
    public var message: String
    public var problems: [ConfigIssue]

    public init(_ kind: Kind, _ code: ErrorCode, _ message: String, problems: [ConfigIssue] = []) {
        self.kind = kind
        self.code = code
        self.message = message
        self.problems = problems
    }

    public var description: String {
        ([message] + problems.map(\.description)).joined(separator: "\n")
    }
}

extension ProvisionError {
    /// A name as given, quoted and escaped for a message (at most 80 characters).
    public static func quoted(_ s: String) -> String {
        var bytes: [UInt8] = []
        JSONString.append(String(s.prefix(80)), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
