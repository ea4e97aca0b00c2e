import Foundation
import Logging

/// A setting a connector accepts, declared by its module so that `almanac check` validates it
/// and its README can be checked against it.
public struct SettingSpec: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case string
        case integer(ClosedRange<Int>)
        case bool
        case duration
        case strings
        /// One of a fixed list of strings.
        case choice([String])
        /// A table of string values (e.g. CSV `columns = { external_id = "Appt ID" }`).
        case stringTable
        /// A secret: accepted as `KEY_file` (path) or `KEY_env` (variable name), or inline as
        /// `KEY` only when the profile file is readable by its owner alone.
        case secret
        /// A path that must exist when the profile is checked.
        case existingPath
    }

    public var key: String
    public var kind: Kind
    public var required: Bool
    /// One line for the reference profile and README.
    public var summary: String

    public init(_ key: String, _ kind: Kind, required: Bool = false, _ summary: String) {
        self.key = key
        self.kind = kind
        self.required = required
        self.summary = summary
    }
}

/// Everything a connector needs to be instantiated for one side of one job.
public struct ConnectorContext: Sendable {
    public enum Side: String, Sendable { case from, to }

    public var profile: String
    public var job: String
    public var side: Side
    public var connectionName: String
    /// The `[connections.NAME]` table (minus `connector`).
    public var connection: ConfigTable
    /// The job's `[jobs.source]` (side `from`) or `[jobs.target]` (side `to`) table.
    public var jobSettings: ConfigTable
    /// The profile's zone for naive datetimes.
    public var timeZone: TimeZone
    /// Where the connector may keep files of its own (OAuth tokens), per profile.
    public var stateDirectory: URL
    /// The profile file's directory, for resolving relative paths in settings.
    public var profileDirectory: URL
    public var logger: Logger
    public var phonePriority: [PhoneKind]
    /// What the job syncs (`kind`): a connector reads and writes contacts when `.contacts`.
    public var kind: ItemKind
    /// The profile's `default_region` (ISO 3166 code, `US`) for normalising national phone
    /// numbers of contacts (`PhoneNumber.normalize`); nil when the profile sets none.
    public var defaultRegion: String?
    /// The job's `recurrence`: whether a calendar connector reads series as their instances or whole.
    public var recurrence: RecurrenceMode = .instances

    public init(
        profile: String, job: String, side: Side, connectionName: String, connection: ConfigTable,
        jobSettings: ConfigTable, timeZone: TimeZone, stateDirectory: URL, profileDirectory: URL,
        logger: Logger, phonePriority: [PhoneKind] = [.mobile, .home, .work, .other],
        kind: ItemKind = .events, defaultRegion: String? = nil
    ) {
        self.profile = profile
        self.job = job
        self.side = side
        self.connectionName = connectionName
        self.connection = connection
        self.jobSettings = jobSettings
        self.timeZone = timeZone
        self.stateDirectory = stateDirectory
        self.profileDirectory = profileDirectory
        self.logger = logger
        self.phonePriority = phonePriority
        self.kind = kind
        self.defaultRegion = defaultRegion
    }

    /// Resolves the secret setting `key` (`key_file`, `key_env` or inline `key`) of the connection.
    /// Throws `config.secret_missing` naming the file or variable, never the value.
    public func secret(_ key: String) throws -> String? {
        try Secrets.resolve(
            key, in: connection, relativeTo: profileDirectory,
            where: "connection \"\(connectionName)\"")
    }
}

/// The settings of one connection and of the job tables that name it, when the connection itself
/// says what they are (an `exec` plugin answers them in its `spec`), and what it can do.
public struct ConnectionSettings: Sendable {
    /// Settings of the `[connections.NAME]` table beyond the module's `connectionSettings`.
    public var connection: [SettingSpec]
    /// Settings of `[jobs.source]` when the connection is a job's `from` side.
    public var source: [SettingSpec]
    /// Settings of `[jobs.target]` when the connection is a job's `to` side.
    public var target: [SettingSpec]
    /// What the connection can do, whatever the job's settings; nil: the module's
    /// `capabilities(jobSettings:side:)` says.
    public var capabilities: ConnectorCapabilities?
    /// The item kinds the connection carries; nil: the module's `itemKinds`.
    public var kinds: Set<ItemKind>?

    public init(
        connection: [SettingSpec], source: [SettingSpec], target: [SettingSpec],
        capabilities: ConnectorCapabilities? = nil, kinds: Set<ItemKind>? = nil
    ) {
        self.connection = connection
        self.source = source
        self.target = target
        self.capabilities = capabilities
        self.kinds = kinds
    }
}

/// A connector kind: its settings, capabilities and factory. One per module under `Plugins/`,
/// listed explicitly by the worker's registry.
public protocol ConnectorModule: SendableMetatype {
    /// The `connector = "…"` value that selects this module.
    static var kind: String { get }
    /// One line saying what it connects to.
    static var summary: String { get }
    /// Settings of `[connections.NAME]`.
    static var connectionSettings: [SettingSpec] { get }
    /// Settings of `[jobs.source]` when this connector is a job's `from` side.
    static var sourceSettings: [SettingSpec] { get }
    /// Settings of `[jobs.target]` when this connector is a job's `to` side.
    static var targetSettings: [SettingSpec] { get }
    /// What an instance configured with these job-side settings can do.
    static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities
    /// Rules beyond the per-setting checks (settings that go together, forbidden combinations).
    static func validate(connection: ConfigScope, profileFileIsPrivate: Bool)
    static func validate(jobSettings: ConfigScope, side: ConnectorContext.Side)
    /// The settings of this connection, when they depend on the connection (an `exec` plugin's
    /// `spec`): called by profile validation after `connectionSettings` and `validate(connection:)`
    /// found nothing wrong. The validator then checks the connection's other keys against
    /// `connection`, the job tables that name it against `source`/`target`, and the job's needs
    /// against `capabilities`. A module that cannot tell reports why on `connection` and returns
    /// nil (and allows the keys it cannot judge). Default: nil, the static lists are the settings.
    static func settings(connection: ConfigScope) -> ConnectionSettings?
    /// Creates an instance. Throws `AlmanacError` when it cannot (bad settings, missing secret).
    static func make(_ context: ConnectorContext) throws -> any Connector
    /// The OAuth grant `almanac auth KIND` runs for a connection, nil for connectors without
    /// OAuth. Throws like `make` when the client settings are unusable.
    static func oauthAuthorization(_ context: ConnectorContext) throws -> OAuthAuthorization?
    /// The item kinds its instances carry (`Connector.kinds`, said without making one): `almanac
    /// check` rejects a job whose kind a side's module lacks. Default: events only.
    static var itemKinds: Set<ItemKind> { get }
}

extension ConnectorModule {
    public static var itemKinds: Set<ItemKind> { [.events] }
    public static func oauthAuthorization(_ context: ConnectorContext) throws -> OAuthAuthorization? { nil }
    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {}
    public static func validate(jobSettings: ConfigScope, side: ConnectorContext.Side) {}
    public static func settings(connection: ConfigScope) -> ConnectionSettings? { nil }
}
