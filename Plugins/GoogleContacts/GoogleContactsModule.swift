import AlmanacCore
import AlmanacHTTP
import Foundation

/// `connector = "google_contacts"`: Google Contacts through the People API v1. See README.md
/// beside this file.
public enum GoogleContactsModule: ConnectorModule {
    public static let kind = "google_contacts"
    public static let summary = "Google Contacts (People API v1)"
    public static let itemKinds: Set<ItemKind> = [.contacts]
    public static let defaultBaseURL = "https://people.googleapis.com"
    public static let scope = "https://www.googleapis.com/auth/contacts"

    public static let connectionSettings: [SettingSpec] =
        [
            GoogleOAuthSettings.baseURLSpec(default: defaultBaseURL),
            SettingSpec("page_size", .integer(1...1000), "contacts per listing page (default 1000)"),
        ] + GoogleOAuthSettings.sharedSpecs(kind: kind)
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }

    /// `almanac check` reports a credentials JSON that is neither form Google hands out, and
    /// refuses `quota_user`: the People API's requests count on the project's bucket alone.
    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        GoogleOAuthSettings.validate(connection: connection)
        TransportOptions.refuseQuotaUser(connection: connection, kind: kind)
    }

    /// Creates the connector. Throws `config.secret_missing` (a secret file or variable is
    /// missing), `google.credentials` (no usable OAuth client).
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        try GoogleContactsConnector(
            settings: settings(context), stateDirectory: context.stateDirectory, profile: context.profile,
            connection: context.connectionName, defaultRegion: context.defaultRegion, logger: context.logger)
    }

    /// `almanac auth google_contacts`: the installed-app grant with the contacts scope.
    public static func oauthAuthorization(_ context: ConnectorContext) throws -> OAuthAuthorization? {
        try GoogleOAuthSettings.authorization(context, scope: scope)
    }

    /// The connection's settings with defaults applied and secrets resolved.
    public static func settings(_ context: ConnectorContext) throws -> GoogleContactsSettings {
        let g = try GoogleOAuthSettings.connection(context, defaultBaseURL: defaultBaseURL)
        return GoogleContactsSettings(
            baseURL: g.baseURL, client: g.client, refreshToken: g.refreshToken,
            pageSize: context.connection.integer("page_size") ?? 1000, requestBudget: g.requestBudget,
            transport: g.transport)
    }
}
