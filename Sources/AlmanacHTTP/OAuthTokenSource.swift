import AlmanacCore
import Foundation

/// An OAuth 2.0 client's token endpoint and credentials.
public struct OAuthClient: Sendable {
    public enum BodyFormat: Sendable { case form, json }
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    public var bodyFormat: BodyFormat

    public init(tokenURL: String, clientID: String, clientSecret: String, bodyFormat: BodyFormat = .form) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.bodyFormat = bodyFormat
    }

    /// The token request body for `fields` plus the client credentials.
    func request(_ fields: [String: String]) -> HTTPRequest {
        var all = fields
        all["client_id"] = clientID
        all["client_secret"] = clientSecret
        switch bodyFormat {
        case .json:
            let body = try? JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])
            return HTTPRequest(method: "POST", url: tokenURL, headers: ["Content-Type": "application/json"], body: body)
        case .form:
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = all.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&")
            return HTTPRequest(
                method: "POST", url: tokenURL,
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8))
        }
    }
}

/// Access tokens for one connection: refreshed ahead of expiry, rotated refresh tokens persisted
/// atomically, `invalid_grant` turned into `oauth.reconnect_required`.
public final class OAuthTokenSource {
    public let client: OAuthClient
    public let store: RefreshTokenStore
    /// Refresh this long before the access token expires.
    public var refreshMargin: TimeInterval = 300
    /// `google` or `cronofy`: named in the advice to run `almanac auth`.
    public let kind: String
    public let connection: String
    /// True once the token endpoint said `invalid_grant`: the connection status is "reconnect required".
    public private(set) var reconnectRequired = false
    /// Token grants made (for tests and metrics).
    public private(set) var refreshes = 0
    private var refreshToken: String?
    private var accessToken: String?
    private var expiry = Date.distantPast
    private let http: HTTPClient

    /// `configuredRefreshToken` (from the profile) is used only when the store holds none: the
    /// store has the newest token once one was rotated.
    public init(
        client: OAuthClient, configuredRefreshToken: String?, store: RefreshTokenStore, kind: String,
        connection: String, http: HTTPClient
    ) {
        self.client = client
        self.store = store
        self.kind = kind
        self.connection = connection
        self.http = http
        refreshToken = store.load() ?? configuredRefreshToken
    }

    /// A valid access token, refreshed when missing or within `refreshMargin` of expiry.
    /// Throws `oauth.reconnect_required`, `oauth.not_authorized`, `oauth.refresh_failed` or a
    /// transport error.
    public func token(now: Date = Date()) throws -> String {
        if let accessToken, expiry.timeIntervalSince(now) > refreshMargin { return accessToken }
        return try refresh(now: now)
    }

    /// Forgets the access token (after a 401), so the next `token()` refreshes.
    public func invalidate() { accessToken = nil }

    private var advice: String {
        "run `almanac auth \(kind) --connection \(connection) PROFILE` to authorize again"
    }

    @discardableResult
    public func refresh(now: Date = Date()) throws -> String {
        guard let rt = refreshToken else {
            throw AlmanacError(
                .oauthNotAuthorized, "connection \"\(connection)\" has no refresh token yet; \(advice)")
        }
        let response = try http.send(client.request(["grant_type": "refresh_token", "refresh_token": rt]))
        let obj = response.jsonObject ?? [:]
        guard response.isSuccess, let access = obj["access_token"] as? String else {
            let code = obj["error"] as? String ?? "HTTP \(response.status)"
            if code == "invalid_grant" {
                reconnectRequired = true
                throw AlmanacError(
                    .oauthReconnectRequired,
                    "connection \"\(connection)\": reconnect required — the refresh token was revoked or has expired; \(advice)"
                )
            }
            if code == "invalid_client" {
                throw AlmanacError(
                    .oauthInvalidClient,
                    "connection \"\(connection)\": the token endpoint rejected the OAuth client id or secret; check client_id and client_secret"
                )
            }
            throw AlmanacError(
                .oauthRefreshFailed,
                "connection \"\(connection)\": refreshing the access token failed (\(code)); try again later")
        }
        refreshes += 1
        reconnectRequired = false
        if let rotated = obj["refresh_token"] as? String, rotated != rt {
            try store.save(rotated)
            refreshToken = rotated
        }
        let lifetime = (obj["expires_in"] as? Double) ?? Double(obj["expires_in"] as? Int ?? 3600)
        accessToken = access
        expiry = now.addingTimeInterval(lifetime)
        return access
    }

    /// Exchanges an authorization code for the first refresh token and stores it
    /// (`almanac auth`). Returns nothing; throws `oauth.exchange_failed`.
    public func exchange(code: String, redirectURI: String?) throws {
        var fields = ["grant_type": "authorization_code", "code": code]
        if let redirectURI { fields["redirect_uri"] = redirectURI }
        let response = try http.send(client.request(fields))
        guard response.isSuccess, let rt = response.jsonObject?["refresh_token"] as? String else {
            let code = response.jsonObject?["error"] as? String ?? "HTTP \(response.status)"
            throw AlmanacError(
                .oauthExchangeFailed,
                "connection \"\(connection)\": the authorization code was not accepted (\(code)); start again")
        }
        try store.save(rt)
        refreshToken = rt
        reconnectRequired = false
    }
}
