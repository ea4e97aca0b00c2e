import AlmanacCore
import AlmanacHTTP
import Foundation

/// `connector = "cronofy"`: the Cronofy API (Office 365, Exchange, Outlook.com, Google, iCloud).
public enum CronofyModule: ConnectorModule {
    public static let kind = "cronofy"
    public static let summary = "Cronofy (Office 365, Exchange, Outlook.com, Google and iCloud calendars)"

    public static let dataCenters = ["us", "uk", "de", "au", "ca", "sg"]

    /// The API root of a data centre: `us` is `https://api.cronofy.com`, the others
    /// `https://api-DC.cronofy.com`.
    public static func apiBase(dataCenter: String) -> String {
        dataCenter == "us" ? "https://api.cronofy.com" : "https://api-\(dataCenter).cronofy.com"
    }

    /// The authorization page root of a data centre (for `almanac auth cronofy`).
    public static func appBase(dataCenter: String) -> String {
        dataCenter == "us" ? "https://app.cronofy.com" : "https://app-\(dataCenter).cronofy.com"
    }

    public static let connectionSettings: [SettingSpec] =
        [
            SettingSpec("calendar_id", .string, required: true, "Cronofy calendar id (cal_…)"),
            SettingSpec("data_center", .choice(dataCenters), "Cronofy data centre of the account (default us)"),
            SettingSpec("client_id", .string, "OAuth client id"),
            SettingSpec("client_secret", .secret, "OAuth client secret"),
            SettingSpec("refresh_token", .secret, "refresh token; normally stored by `almanac auth cronofy`"),
            SettingSpec("tzid", .string, "zone Cronofy renders times in (default: the profile's timezone)"),
            SettingSpec("base_url", .string, "API root overriding data_center; the fakes use a loopback URL"),
            SettingSpec("token_url", .string, "OAuth token endpoint (default: BASE/oauth/token)"),
            SettingSpec(
                "authorize_url", .string,
                "authorization page used by `almanac auth cronofy` (default: the data centre's app site)"),
            SettingSpec("batch_size", .integer(1...50), "entries per batch request (default 50)"),
        ] + TransportOptions.settingSpecs
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }

    /// `almanac check` refuses `quota_user`: Cronofy meters the application, not each user.
    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        TransportOptions.refuseQuotaUser(connection: connection, kind: kind)
    }

    /// Creates the connector. Throws `config.secret_missing` or `cronofy.credentials`.
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        CronofyConnector(
            settings: try settings(context), stateDirectory: context.stateDirectory,
            profile: context.profile, connection: context.connectionName, logger: context.logger, job: context.job,
            recurrence: context.recurrence)
    }

    /// Authorization code flow on the data centre's app site; `read_write` scope.
    public static func oauthAuthorization(_ context: ConnectorContext) throws -> OAuthAuthorization? {
        let s = try settings(context)
        let app =
            context.connection.string("authorize_url")
            ?? appBase(dataCenter: context.connection.string("data_center") ?? "us") + "/oauth/authorize"
        return OAuthAuthorization(
            authorizeURL: app, tokenURL: s.client.tokenURL, clientID: s.client.clientID,
            clientSecret: s.client.clientSecret, scope: "read_write", jsonTokenRequests: true)
    }

    public static func settings(_ context: ConnectorContext) throws -> CronofySettings {
        let c = context.connection
        guard let clientID = c.string("client_id"), let secret = try context.secret("client_secret") else {
            throw AlmanacError(
                .cronofyCredentials,
                "connection \"\(context.connectionName)\": set client_id and client_secret_file (or client_secret_env) of the Cronofy application"
            )
        }
        let base = (c.string("base_url") ?? apiBase(dataCenter: c.string("data_center") ?? "us"))
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return CronofySettings(
            calendarID: c.string("calendar_id") ?? "",
            baseURL: trimmed,
            client: OAuthClient(
                tokenURL: c.string("token_url") ?? trimmed + "/oauth/token", clientID: clientID,
                clientSecret: secret, bodyFormat: .json),
            refreshToken: try context.secret("refresh_token"),
            tzid: c.string("tzid") ?? context.timeZone.identifier,
            batchSize: c.integer("batch_size") ?? 50, requestBudget: TransportOptions.requestBudget(c),
            transport: TransportOptions(connection: c))
    }
}
