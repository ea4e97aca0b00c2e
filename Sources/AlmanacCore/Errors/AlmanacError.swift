/// A stable, machine-readable error identifier such as `config.unknown_key` or `odbc.connect_failed`.
///
/// Codes appear in logs, `--json` output and run reports; once published a code keeps its meaning.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

extension ErrorCode {
    public static let configSyntax: ErrorCode = "config.syntax"
    public static let configUnknownKey: ErrorCode = "config.unknown_key"
    public static let configMissingKey: ErrorCode = "config.missing_key"
    public static let configType: ErrorCode = "config.type"
    public static let configInvalidValue: ErrorCode = "config.invalid_value"
    public static let configFileName: ErrorCode = "config.file_name"
    public static let configUnreadable: ErrorCode = "config.unreadable"
    public static let configInlineSecret: ErrorCode = "config.inline_secret"
    public static let configSecretMissing: ErrorCode = "config.secret_missing"
    public static let configUnknownConnector: ErrorCode = "config.unknown_connector"
    public static let configUnknownConnection: ErrorCode = "config.unknown_connection"
    public static let configCapability: ErrorCode = "config.capability"
}

/// The error type shared by every almanac module.
///
/// `message` is written for the administrator: it names the profile, file, key or connection
/// involved and, where there is one, the next step. It never contains a secret's value.
public struct AlmanacError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    /// A lower-level error this one wraps, rendered as text (never carrying secrets).
    public var cause: String?
    /// The same operation may succeed later without anyone fixing anything (a file still being
    /// written, a source busy for a moment): the run fails now and a later run tries again.
    /// False for errors that need an administrator (a missing file, a malformed one).
    public var retryable: Bool

    public init(_ code: ErrorCode, _ message: String, cause: String? = nil, retryable: Bool = false) {
        self.code = code
        self.message = message
        self.cause = cause
        self.retryable = retryable
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}
