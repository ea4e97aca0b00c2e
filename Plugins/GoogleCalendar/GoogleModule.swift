import AlmanacCore

/// `connector = "google"`: the Google Calendar v3 API. See README.md beside this file.
public enum GoogleModule: ConnectorModule {
    public static let kind = "google"
    public static let summary = "Google Calendar (API v3)"

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("calendar_id", .string, required: true, "calendar to sync (\"primary\" or an id like \"abc@group.calendar.google.com\")"),
        SettingSpec("credentials", .secret, "OAuth client JSON as downloaded from the Google console (credentials_file)"),
        SettingSpec("client_id", .string, "OAuth client id, when not taken from credentials_file"),
        SettingSpec("client_secret", .secret, "OAuth client secret, when not taken from credentials_file"),
        SettingSpec("refresh_token", .secret, "refresh token; normally stored by `almanac auth google`"),
        SettingSpec("base_url", .string, "API root (default https://www.googleapis.com); the fakes use a loopback URL"),
        SettingSpec("token_url", .string, "OAuth token endpoint (default https://oauth2.googleapis.com/token)"),
    ]
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }

    public static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError("connector.unavailable", "the google connector cannot run in this build yet")
    }
}
