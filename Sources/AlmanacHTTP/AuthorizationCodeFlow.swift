import AlmanacCore
import Foundation

/// `almanac auth`: runs an OAuth 2.0 authorization-code grant and stores the refresh token.
///
/// With a loopback redirect (Google installed apps, and Cronofy when the application allows
/// `http://127.0.0.1` redirects): listen on 127.0.0.1, print the page to open, take the `code`
/// from the redirect. Without one (`code` given): exchange a code the person pasted.
public struct AuthorizationCodeFlow: Sendable {
    public let authorization: OAuthAuthorization
    public let store: RefreshTokenStore
    public let connection: String
    public let kind: String

    public init(authorization: OAuthAuthorization, store: RefreshTokenStore, kind: String, connection: String) {
        self.authorization = authorization
        self.store = store
        self.kind = kind
        self.connection = connection
    }

    /// The page to open for `redirectURI`.
    public func authorizationPage(redirectURI: String, state: String) -> String {
        var q = authorization.extraParameters
        q["client_id"] = authorization.clientID
        q["redirect_uri"] = redirectURI
        q["response_type"] = "code"
        q["scope"] = authorization.scope
        q["state"] = state
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return authorization.authorizeURL + "?"
            + q.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&")
    }

    /// Exchanges `code` and stores the refresh token. Throws `oauth.exchange_failed`,
    /// `oauth.store_failed` or a transport error.
    public func exchange(code: String, redirectURI: String?, http: HTTPClient = HTTPClient()) throws {
        let client = OAuthClient(
            tokenURL: authorization.tokenURL, clientID: authorization.clientID,
            clientSecret: authorization.clientSecret,
            bodyFormat: authorization.jsonTokenRequests ? .json : .form)
        let source = OAuthTokenSource(
            client: client, configuredRefreshToken: nil, store: store, kind: kind,
            connection: connection, http: http)
        try source.exchange(code: code, redirectURI: redirectURI)
    }

    /// Listens on 127.0.0.1, calls `show` with the page to open, waits (up to `timeout`) for the
    /// browser's redirect, then exchanges the code. Throws `oauth.denied`, `oauth.timeout`, or
    /// what `exchange` throws.
    public func runWithLoopback(timeout: TimeInterval = 300, show: (String) -> Void) throws {
        let receiver = try LoopbackRedirectReceiver()
        let state = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let redirect = "http://127.0.0.1:\(receiver.port)/"
        show(authorizationPage(redirectURI: redirect, state: state))
        let query = try receiver.waitForRedirect(timeout: timeout)
        if let error = query["error"] {
            throw AlmanacError(
                .oauthDenied, "connection \"\(connection)\": authorization was refused (\(error)); start again")
        }
        guard query["state"] == state, let code = query["code"] else {
            throw AlmanacError(
                .oauthDenied, "connection \"\(connection)\": the redirect carried no valid code; start again")
        }
        try exchange(code: code, redirectURI: redirect)
    }
}
