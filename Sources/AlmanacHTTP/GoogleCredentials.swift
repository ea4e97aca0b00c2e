import Foundation

/// What `credentials_file` holds, in either of the two forms Google hands out:
///
/// - an OAuth client as downloaded from the Google console: an `installed` or `web` object with
///   `client_id`, `client_secret` and `token_uri` (the refresh token then comes from
///   `almanac auth google` or `refresh_token_file`);
/// - the `authorized_user` file Google's own tools write (`gcloud auth application-default
///   login`): `{"type":"authorized_user","client_id":…,"client_secret":…,"refresh_token":…}`,
///   which carries the refresh token too, so no `almanac auth` is needed.
///
/// Problems name keys and forms, never a value. Shared by the Google connectors (calendar and
/// contacts): `GoogleOAuthSettings` reads a connection's client with it.
public struct GoogleCredentials: Equatable, Sendable {
    public var clientID: String?
    public var clientSecret: String?
    public var tokenURL: String?
    public var refreshToken: String?

    public init(
        clientID: String? = nil, clientSecret: String? = nil, tokenURL: String? = nil, refreshToken: String? = nil
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tokenURL = tokenURL
        self.refreshToken = refreshToken
    }

    /// The credentials in `json`, or what is wrong with it (a sentence for the administrator).
    public static func parse(_ json: String) -> Result<GoogleCredentials, Problem> {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
            return .failure(Problem("credentials is not JSON; " + Problem.forms))
        }
        if let type = object["type"] as? String {
            guard type == "authorized_user" else {
                return .failure(
                    Problem("credentials has \"type\": \"\(type)\", which almanac cannot use; " + Problem.forms))
            }
            let missing = ["client_id", "client_secret", "refresh_token"].filter {
                ((object[$0] as? String) ?? "").isEmpty
            }
            guard missing.isEmpty else {
                return .failure(
                    Problem(
                        "credentials is an authorized_user JSON without \(missing.joined(separator: ", ")); "
                            + "write it again with `gcloud auth application-default login`"))
            }
            return .success(
                GoogleCredentials(
                    clientID: object["client_id"] as? String, clientSecret: object["client_secret"] as? String,
                    tokenURL: object["token_uri"] as? String, refreshToken: object["refresh_token"] as? String))
        }
        guard let app = (object["installed"] ?? object["web"]) as? [String: Any] else {
            return .failure(
                Problem("credentials has neither an \"installed\" or \"web\" object nor a \"type\"; " + Problem.forms))
        }
        return .success(
            GoogleCredentials(
                clientID: app["client_id"] as? String, clientSecret: app["client_secret"] as? String,
                tokenURL: app["token_uri"] as? String))
    }

    public struct Problem: Error, Equatable, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }

        static let forms =
            "expected the OAuth client JSON from the Google console (an \"installed\" or \"web\" client) "
            + "or an authorized_user JSON (gcloud auth application-default login)"
    }
}
