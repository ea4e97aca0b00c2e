import AlmanacCore
import Foundation

extension TransportOptions {
    /// The HTTP settings every API connector accepts in `[connections.NAME]`; a module lists them
    /// in its `connectionSettings` and reads them with `init(connection:)` (and `requestBudget`).
    public static let settingSpecs: [SettingSpec] = [
        SettingSpec("max_concurrent", .integer(1...16), "HTTP requests in flight at once (default 4)"),
        SettingSpec(
            "request_budget", .integer(1...10_000_000), "most HTTP requests one run may send (default: no limit)"),
        SettingSpec("timeout", .duration, "timeout of one HTTP request (default 60s)"),
        SettingSpec(
            "quota_key", .string,
            "the quota bucket this connection shares under the daemon (default: the OAuth client id; README \"Quota governor\")"
        ),
        SettingSpec(
            "ca_file", .existingPath, "extra CA bundle (PEM) for TLS-inspecting proxies; verification stays on"),
    ]

    /// `quota_user`, declared only by a connector whose provider meters each user (`google`: its
    /// requests count on `google_user:QUOTA_KEY:ACCOUNT` too; README "Quota governor").
    public static let quotaUserSpec = SettingSpec(
        "quota_user", .string, "the calendar account, for the per-user bucket (default: the profile and connection)")

    /// `almanac check` of a connector without a per-user bucket: `quota_user` would change
    /// nothing, so it is refused with why, rather than as an unknown key.
    public static func refuseQuotaUser(connection: ConfigScope, kind: String) {
        guard connection.has("quota_user") else { return }
        connection.report(
            .configUnknownKey, "quota_user",
            "\(kind) has no per-user quota bucket (only google, the Calendar API, has one): its requests count on "
                + "\(kind):QUOTA_KEY alone; remove quota_user (README \"Quota governor\")")
    }

    /// Options from a connection's settings (as validated by `settingSpecs`), defaults for the rest.
    public init(connection c: ConfigTable) {
        self.init(maxConcurrent: c.integer("max_concurrent") ?? 4, caFile: c.string("ca_file"))
        if let t = c.string("timeout"), let d = parseDuration(t) { timeout = TimeInterval(d.wholeSeconds) }
        quotaKey = c.string("quota_key")
        quotaUser = c.string("quota_user")
    }

    /// `request_budget` of a connection, nil for no limit.
    public static func requestBudget(_ c: ConfigTable) -> Int? { c.integer("request_budget") }
}
