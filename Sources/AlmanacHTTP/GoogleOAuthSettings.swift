import AlmanacCore
import Foundation

/// The OAuth side of a Google connection, the same for every Google API almanac talks to
/// (`google`: Calendar v3, `google_contacts`: People v1): the settings that name the client and
/// the refresh token, how they are resolved (`credentials_file` in either form
/// `GoogleCredentials` reads, or `client_id` + `client_secret`), and the installed-app grant
/// `almanac auth` runs. The connectors differ only in the scope they ask for.
public enum GoogleOAuthSettings {
    public static let defaultTokenURL = "https://oauth2.googleapis.com/token"
    public static let defaultAuthorizeURL = "https://accounts.google.com/o/oauth2/v2/auth"

    /// The client settings of a Google connection; `kind` names the connector in the advice
    /// (`almanac auth KIND`).
    public static func settingSpecs(kind: String) -> [SettingSpec] {
        [
            SettingSpec(
                "credentials", .secret, "OAuth client or authorized_user JSON (credentials_file; README: Credentials)"),
            SettingSpec("client_id", .string, "OAuth client id, when not taken from credentials_file"),
            SettingSpec("client_secret", .secret, "OAuth client secret, when not taken from credentials_file"),
            SettingSpec("refresh_token", .secret, "refresh token; normally stored by `almanac auth \(kind)`"),
            SettingSpec("token_url", .string, "OAuth token endpoint (default \(defaultTokenURL))"),
            SettingSpec(
                "authorize_url", .string,
                "OAuth authorization page used by `almanac auth \(kind)` (default \(defaultAuthorizeURL))"),
        ]
    }

    /// `almanac check`: reports a credentials JSON that is neither form `GoogleCredentials`
    /// accepts (when it can be read here), naming keys, never values.
    public static func validate(connection: ConfigScope) {
        guard let directory = connection.directory,
            let json = try? Secrets.resolve("credentials", in: connection.table, relativeTo: directory, where: "")
        else { return }
        if case .failure(let problem) = GoogleCredentials.parse(json) {
            let key = ["credentials_file", "credentials_env", "credentials"].first { connection.table[$0] != nil }
            connection.report(.googleCredentials, key ?? "credentials", problem.message)
        }
    }

    /// The connection's OAuth client and configured refresh token, secrets resolved. Throws
    /// `config.secret_missing` (a secret file or variable is missing) or `google.credentials`
    /// (no usable OAuth client).
    public static func client(_ context: ConnectorContext) throws -> (client: OAuthClient, refreshToken: String?) {
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
        let client = OAuthClient(tokenURL: tokenURL ?? defaultTokenURL, clientID: clientID, clientSecret: clientSecret)
        return (client, refreshToken)
    }

    /// The installed-app grant for `scope`: the person signs in on Google's page, which redirects
    /// to a loopback address `almanac auth` listens on; offline access so a refresh token is issued.
    public static func authorization(_ context: ConnectorContext, scope: String) throws -> OAuthAuthorization {
        let (client, _) = try self.client(context)
        return OAuthAuthorization(
            authorizeURL: context.connection.string("authorize_url") ?? defaultAuthorizeURL,
            tokenURL: client.tokenURL, clientID: client.clientID, clientSecret: client.clientSecret,
            scope: scope, extraParameters: ["access_type": "offline", "prompt": "consent"])
    }
}
