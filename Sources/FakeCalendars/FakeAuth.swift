import Foundation

/// OAuth 2.0 token endpoint state shared by the fakes: registered clients, refresh tokens,
/// access tokens with expiry. Thread-safe.
public final class FakeAuth: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var clients: [String: String] = [:]
    private var refreshTokens: Set<String> = []
    private var accessTokens: [String: Date] = [:]
    private var counter = 0
    /// Lifetime of issued access tokens, in seconds.
    public var accessTokenLifetime: Int {
        get { lock.withLock { lifetime } }
        set { lock.withLock { lifetime = newValue } }
    }
    private var lifetime = 3600
    /// When true every refresh returns a new refresh token and revokes the old one.
    public var rotateRefreshTokens: Bool {
        get { lock.withLock { rotate } }
        set { lock.withLock { rotate = newValue } }
    }
    private var rotate = false
    /// The authorization code `almanac auth` exchanges (the fakes accept exactly this one).
    public static let authorizationCode = "fake-authorization-code"
    /// Number of token grants served (refreshes and code exchanges).
    public var grants: Int { lock.withLock { grantCount } }
    private var grantCount = 0

    public init() {}

    /// Accept any client secret (the demo's `almanac-fakes` without a secret file). Off by
    /// default: tests exercise `invalid_client`.
    public var acceptAnySecret: Bool {
        get { lock.withLock { anySecret } }
        set { lock.withLock { anySecret = newValue } }
    }
    private var anySecret = false
    /// Accept any client id (with any secret): `almanac-fakes --any-client`. Off by default.
    public var acceptAnyClient: Bool {
        get { lock.withLock { anyClient } }
        set { lock.withLock { anyClient = newValue } }
    }
    private var anyClient = false
    /// Accept any refresh token (the demo without a token file). Off by default: tests exercise
    /// `invalid_grant`.
    public var acceptAnyRefreshToken: Bool {
        get { lock.withLock { anyRefresh } }
        set { lock.withLock { anyRefresh = newValue } }
    }
    private var anyRefresh = false

    /// Registers a known refresh token (e.g. one read from a file).
    public func add(refreshToken: String) { _ = lock.withLock { refreshTokens.insert(refreshToken) } }

    /// Registers a client and returns a fresh refresh token for it.
    @discardableResult
    public func register(clientID: String, secret: String) -> String {
        lock.withLock {
            clients[clientID] = secret
            return newToken("rt")
        }
    }

    /// Revokes a refresh token (the next refresh with it gets `invalid_grant`).
    public func revoke(refreshToken: String) { _ = lock.withLock { refreshTokens.remove(refreshToken) } }

    /// Expires every access token now.
    public func expireAccessTokens() { lock.withLock { accessTokens.removeAll() } }

    public func isValid(accessToken: String?) -> Bool {
        guard let accessToken else { return false }
        return lock.withLock { (accessTokens[accessToken] ?? .distantPast) > Date() }
    }

    private func newToken(_ prefix: String) -> String {
        counter += 1
        let t = "\(prefix)-\(counter)-\(UInt32.random(in: 0...UInt32.max))"
        if prefix == "rt" { refreshTokens.insert(t) }
        return t
    }

    /// Handles a token request (form or JSON body). Never logs or echoes secrets.
    func tokenResponse(_ request: FakeRequest, includeRefresh: Bool) -> FakeResponse {
        var fields: [String: String] = [:]
        if let obj = request.jsonObject {
            for (k, v) in obj { if let s = v as? String { fields[k] = s } }
        } else {
            for (k, v) in FakeRequest.split(target: "?" + String(decoding: request.body, as: UTF8.self)).1 {
                fields[k] = v
            }
        }
        return lock.withLock { () -> FakeResponse in
            let id = fields["client_id"] ?? ""
            guard anyClient || (clients[id] != nil && (anySecret || clients[id] == fields["client_secret"])) else {
                return .json(401, ["error": "invalid_client", "error_description": "The OAuth client was not found."])
            }
            var refresh: String
            switch fields["grant_type"] {
            case "refresh_token":
                guard let rt = fields["refresh_token"], refreshTokens.contains(rt) || anyRefresh else {
                    return .json(
                        400,
                        [
                            "error": "invalid_grant",
                            "error_description": "Token has been expired or revoked.",
                        ])
                }
                refresh = rt
                if rotate {
                    refreshTokens.remove(rt)
                    refresh = newToken("rt")
                }
            case "authorization_code":
                guard fields["code"] == FakeAuth.authorizationCode else {
                    return .json(400, ["error": "invalid_grant", "error_description": "Bad authorization code."])
                }
                refresh = newToken("rt")
            default:
                return .json(400, ["error": "unsupported_grant_type"])
            }
            grantCount += 1
            let access = newToken("at")
            accessTokens[access] = Date().addingTimeInterval(TimeInterval(lifetime))
            var body: [String: Any] = [
                "access_token": access, "expires_in": lifetime, "token_type": "Bearer",
                "scope": "calendar",
            ]
            if includeRefresh || rotate || fields["grant_type"] == "authorization_code" {
                body["refresh_token"] = refresh
            }
            return .json(200, body)
        }
    }
}
