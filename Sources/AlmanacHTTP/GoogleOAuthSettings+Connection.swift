import AlmanacCore
import Foundation

extension GoogleOAuthSettings {
    /// What every Google connection reads besides its API's own keys (`calendar_id`, `page_size`,
    /// …): the API root, the OAuth client and refresh token, the request budget and the transport
    /// options, defaults applied and secrets resolved.
    public struct Connection: Sendable {
        /// `base_url` without trailing slashes, or the API's default root.
        public var baseURL: String
        public var client: OAuthClient
        public var refreshToken: String?
        public var requestBudget: Int?
        public var transport: TransportOptions
    }

    /// `base_url`, for an API whose root is `defaultBaseURL`.
    public static func baseURLSpec(default defaultBaseURL: String) -> SettingSpec {
        SettingSpec("base_url", .string, "API root (default \(defaultBaseURL)); the fakes use a loopback URL")
    }

    /// The settings of a Google connection after the API's own: the OAuth client ones
    /// (`settingSpecs(kind:)`) and the transport ones.
    public static func sharedSpecs(kind: String) -> [SettingSpec] {
        settingSpecs(kind: kind) + TransportOptions.settingSpecs
    }

    /// Reads `Connection` from the context. Throws `config.secret_missing` (a secret file or
    /// variable is missing) or `google.credentials` (no usable OAuth client).
    public static func connection(_ context: ConnectorContext, defaultBaseURL: String) throws -> Connection {
        let c = context.connection
        let (client, refreshToken) = try self.client(context)
        var base = c.string("base_url") ?? defaultBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        return Connection(
            baseURL: base, client: client, refreshToken: refreshToken,
            requestBudget: TransportOptions.requestBudget(c), transport: TransportOptions(connection: c))
    }
}
