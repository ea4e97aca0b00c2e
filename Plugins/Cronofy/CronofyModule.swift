import AlmanacCore

/// `connector = "cronofy"`: the Cronofy API (Office 365, Exchange, Outlook.com, Google, iCloud).
public enum CronofyModule: ConnectorModule {
    public static let kind = "cronofy"
    public static let summary = "Cronofy (Office 365, Exchange, Outlook.com, Google and iCloud calendars)"

    public static let dataCenters = ["us", "uk", "de", "au", "ca", "sg"]

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("calendar_id", .string, required: true, "Cronofy calendar id (cal_…)"),
        SettingSpec("data_center", .choice(dataCenters), "Cronofy data centre of the account (default us)"),
        SettingSpec("client_id", .string, "OAuth client id"),
        SettingSpec("client_secret", .secret, "OAuth client secret"),
        SettingSpec("refresh_token", .secret, "refresh token; normally stored by `almanac auth cronofy`"),
        SettingSpec("tzid", .string, "zone Cronofy renders times in (default: the profile's timezone)"),
        SettingSpec("base_url", .string, "API root overriding data_center; the fakes use a loopback URL"),
    ]
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed]
    }

    public static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError("connector.unavailable", "the cronofy connector cannot run in this build yet")
    }
}
