/// How a connector's OAuth 2.0 authorization-code grant is run by `almanac auth KIND`: the page a
/// person opens, the token endpoint, and the client. Secrets here never reach logs or output.
public struct OAuthAuthorization: Sendable {
    /// The authorization page, without query (`https://accounts.google.com/o/oauth2/v2/auth`).
    public var authorizeURL: String
    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    public var scope: String
    /// Extra query parameters of the authorization page (`access_type=offline`…).
    public var extraParameters: [String: String]
    /// Token requests as JSON bodies (Cronofy) rather than form bodies (Google).
    public var jsonTokenRequests: Bool

    public init(
        authorizeURL: String, tokenURL: String, clientID: String, clientSecret: String, scope: String,
        extraParameters: [String: String] = [:], jsonTokenRequests: Bool = false
    ) {
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.extraParameters = extraParameters
        self.jsonTokenRequests = jsonTokenRequests
    }
}
