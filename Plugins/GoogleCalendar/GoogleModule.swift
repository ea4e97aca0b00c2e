import AlmanacCore
import AlmanacHTTP
import Foundation

/// `connector = "google"`: the Google Calendar v3 API. See README.md beside this file.
public enum GoogleModule: ConnectorModule {
    public static let kind = "google"
    public static let summary = "Google Calendar (API v3)"
    public static let defaultBaseURL = "https://www.googleapis.com"
    public static let defaultTokenURL = GoogleOAuthSettings.defaultTokenURL

    public static let connectionSettings: [SettingSpec] =
        [
            SettingSpec(
                "calendar_id", .string, required: true,
                "calendar to sync (\"primary\" or an id like \"abc@group.calendar.google.com\")"),
            GoogleOAuthSettings.baseURLSpec(default: defaultBaseURL),
            SettingSpec("batch_size", .integer(1...50), "calls per batch request (default 50)"),
        ] + GoogleOAuthSettings.sharedSpecs(kind: kind) + [TransportOptions.quotaUserSpec]
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }

    /// `almanac check` reads the credentials (when they can be read here) and reports a JSON that
    /// is neither form `GoogleCredentials` accepts, naming keys, never values.
    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        GoogleOAuthSettings.validate(connection: connection)
    }

    /// Creates the connector. Throws `config.secret_missing` (a secret file or variable is
    /// missing), `google.credentials` (no usable OAuth client).
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        try GoogleConnector(
            settings: settings(context), stateDirectory: context.stateDirectory,
            profile: context.profile, connection: context.connectionName, timeZone: context.timeZone,
            logger: context.logger, recurrence: context.recurrence)
    }

    /// Installed-app flow (`GoogleOAuthSettings.authorization`) with the calendar events scope.
    public static func oauthAuthorization(_ context: ConnectorContext) throws -> OAuthAuthorization? {
        try GoogleOAuthSettings.authorization(context, scope: "https://www.googleapis.com/auth/calendar.events")
    }

    /// The connection's settings with defaults applied and secrets resolved.
    public static func settings(_ context: ConnectorContext) throws -> GoogleSettings {
        let c = context.connection
        let g = try GoogleOAuthSettings.connection(context, defaultBaseURL: defaultBaseURL)
        return GoogleSettings(
            calendarID: c.string("calendar_id") ?? "primary", baseURL: g.baseURL, client: g.client,
            refreshToken: g.refreshToken, batchSize: c.integer("batch_size") ?? 50, requestBudget: g.requestBudget,
            transport: g.transport)
    }
}
