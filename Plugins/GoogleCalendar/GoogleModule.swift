import AlmanacCore
import AlmanacHTTP
import Foundation

/// `connector = "google"`: the Google Calendar v3 API. See README.md beside this file.
public enum GoogleModule: ConnectorModule {
    public static let kind = "google"
    public static let summary = "Google Calendar (API v3)"
    public static let defaultBaseURL = "https://www.googleapis.com"
    public static let defaultTokenURL = "https://oauth2.googleapis.com/token"

    public static let connectionSettings: [SettingSpec] =
        [
            SettingSpec(
                "calendar_id", .string, required: true,
                "calendar to sync (\"primary\" or an id like \"abc@group.calendar.google.com\")"),
            SettingSpec(
                "credentials", .secret, "OAuth client or authorized_user JSON (credentials_file; README: Credentials)"),
            SettingSpec("client_id", .string, "OAuth client id, when not taken from credentials_file"),
            SettingSpec("client_secret", .secret, "OAuth client secret, when not taken from credentials_file"),
            SettingSpec("refresh_token", .secret, "refresh token; normally stored by `almanac auth google`"),
            SettingSpec(
                "base_url", .string, "API root (default https://www.googleapis.com); the fakes use a loopback URL"),
            SettingSpec("token_url", .string, "OAuth token endpoint (default https://oauth2.googleapis.com/token)"),
            SettingSpec(
                "authorize_url", .string,
                "OAuth authorization page used by `almanac auth google` (default https://accounts.google.com/o/oauth2/v2/auth)"
            ),
            SettingSpec("batch_size", .integer(1...50), "calls per batch request (default 50)"),
        ] + TransportOptions.settingSpecs
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }

    /// `almanac check` reads the credentials (when they can be read here) and reports a JSON that
    /// is neither form `GoogleCredentials` accepts, naming keys, never values.
    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        guard let directory = connection.directory,
            let json = try? Secrets.resolve("credentials", in: connection.table, relativeTo: directory, where: "")
        else { return }
        if case .failure(let problem) = GoogleCredentials.parse(json) {
            let key = ["credentials_file", "credentials_env", "credentials"].first { connection.table[$0] != nil }
            connection.report(.googleCredentials, key ?? "credentials", problem.message)
        }
    }

    /// Creates the connector. Throws `config.secret_missing` (a secret file or variable is
    /// missing), `google.credentials` (no usable OAuth client).
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        try GoogleConnector(
            settings: settings(context), stateDirectory: context.stateDirectory,
            profile: context.profile, connection: context.connectionName, timeZone: context.timeZone,
            logger: context.logger, recurrence: context.recurrence)
    }

    /// Installed-app flow: the person signs in on Google's page, which redirects to a loopback
    /// address `almanac auth` listens on; offline access so a refresh token is issued.
    public static func oauthAuthorization(_ context: ConnectorContext) throws -> OAuthAuthorization? {
        let s = try settings(context)
        return OAuthAuthorization(
            authorizeURL: context.connection.string("authorize_url") ?? "https://accounts.google.com/o/oauth2/v2/auth",
            tokenURL: s.client.tokenURL, clientID: s.client.clientID, clientSecret: s.client.clientSecret,
            scope: "https://www.googleapis.com/auth/calendar.events",
            extraParameters: ["access_type": "offline", "prompt": "consent"])
    }

    /// The connection's settings with defaults applied and secrets resolved.
    public static func settings(_ context: ConnectorContext) throws -> GoogleSettings {
        let c = context.connection
        var clientID = c.string("client_id")
        var clientSecret = try context.secret("client_secret")
        var tokenURL = c.string("token_url")
        var refreshToken = try context.secret("refresh_token")
        if let json = try context.secret("credentials") {
            switch GoogleCredentials.parse(json) {
            case .failure(let problem):
                throw AlmanacError(.googleCredentials, "connection \"\(context.connectionName)\": \(problem.message)")
            case .success(let file):
                clientID = clientID ?? file.clientID
                clientSecret = clientSecret ?? file.clientSecret
                tokenURL = tokenURL ?? file.tokenURL
                refreshToken = refreshToken ?? file.refreshToken
            }
        }
        guard let clientID, let clientSecret else {
            throw AlmanacError(
                .googleCredentials,
                "connection \"\(context.connectionName)\": no OAuth client; set credentials_file, or client_id and client_secret_file"
            )
        }
        return GoogleSettings(
            calendarID: c.string("calendar_id") ?? "primary",
            baseURL: (c.string("base_url") ?? defaultBaseURL).trimmingSuffix("/"),
            client: OAuthClient(tokenURL: tokenURL ?? defaultTokenURL, clientID: clientID, clientSecret: clientSecret),
            refreshToken: refreshToken,
            batchSize: c.integer("batch_size") ?? 50, requestBudget: TransportOptions.requestBudget(c),
            transport: TransportOptions(connection: c))
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
