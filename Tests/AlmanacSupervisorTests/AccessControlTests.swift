import AlmanacCore
import AlmanacWire
import Foundation
import Testing

@testable import AlmanacSupervisor

/// The tokens file, the route table's roles and the gate that applies them (no daemon: the
/// end-to-end test `AccessControlEndToEndTests` runs one).
@Suite(.timeLimit(.minutes(10)))
struct AccessControlTests {
    static func request(_ method: String, _ path: String, token: String?) -> HTTPRequest {
        HTTPRequest(
            method: method, path: path, query: [:], headers: token.map { ["authorization": "Bearer \($0)"] } ?? [:],
            body: [])
    }

    static let file = """
        # who may do what
        read    r-token-1
        operate\to-token-2

        admin a-token-3\r
        read r-token-4
        """

    @Test func eachTokenHasItsRoleAndOthersNone() throws {
        let tokens = try AccessTokens.parse(Self.file, file: "/etc/almanac/tokens")
        #expect(tokens.summary == "admin 1, operate 1, read 2")
        let cases: [(String?, AccessRole?)] = [
            ("r-token-1", .read), ("o-token-2", .operate), ("a-token-3", .admin), ("r-token-4", .read),
            ("a-token-", nil), ("a-token-33", nil), ("A-TOKEN-3", nil), ("", nil), (nil, nil),
            ("read r-token-1", nil), ("# who", nil),
        ]
        for (token, role) in cases {
            #expect(tokens.role(of: Self.request("GET", "/v1/health", token: token)) == role, "\(token ?? "none")")
        }
        // Another scheme is no bearer token.
        let basic = HTTPRequest(
            method: "GET", path: "/v1/health", query: [:], headers: ["authorization": "Basic a-token-3"], body: [])
        #expect(tokens.role(of: basic) == nil)
    }

    /// A file of one bare token (the format before roles) keeps working: that token is `admin`.
    @Test(arguments: ["s3cret-token\n", "  s3cret-token  ", "# the daemon's token\n\ns3cret-token\n\n"])
    func aBareTokenAloneIsAdmin(text: String) throws {
        let tokens = try AccessTokens.parse(text, file: "t")
        #expect(tokens.role(of: Self.request("GET", "/", token: "s3cret-token")) == .admin)
        #expect(tokens.summary == "admin 1, operate 0, read 0")
    }

    /// A malformed line stops the daemon with the file and the line named, never the token.
    @Test(arguments: [
        ("read r-secret-1\nr-secret-2\n", "tokens line 2: a token without a role: write ROLE TOKEN"),
        ("read r-secret-1\nwriter r-secret-2\n", "tokens line 2: the role must be read, operate or admin"),
        ("r-secret-2 read\n", "tokens line 1: the role must be read, operate or admin"),
        ("# c\nadmin r-secret-1 r-secret-2\n", "tokens line 2: expected ROLE TOKEN, found 3 words"),
        ("read r-secret-1\n\nadmin r-secret-1\n", "tokens line 3: the same token as line 1"),
        ("# nothing here\n\n", "tokens holds no token"),
        ("", "tokens holds no token"),
    ])
    func malformedFilesAreRefused(text: String, message: String) throws {
        do {
            _ = try AccessTokens.parse(text, file: "tokens")
            Issue.record("parsed: \(text)")
        } catch let e as AlmanacError {
            #expect(e.code == .apiTokenMissing)
            #expect(e.message.hasPrefix(message), "\(e.message)")
            #expect(!e.message.contains("secret"), "\(e.message)")
        }
    }

    @Test func everyRouteHasTheContractsRole() {
        let roles = Dictionary(uniqueKeysWithValues: ControlRoutes.all.map { ($0.description, $0.role) })
        #expect(roles.count == ControlRoutes.all.count, "a route is listed twice")
        for route in ControlRoutes.all where route.method == "GET" { #expect(route.role == .read, "\(route)") }
        for action in ["sync", "restart", "enable", "disable", "test-connection"] {
            #expect(roles["POST /v1/profiles/{name}/\(action)"] == .operate)
        }
        #expect(roles["POST /v1/reload"] == .operate)
        for admin in [
            "POST /v1/profiles", "PUT /v1/profiles/{name}/schedule", "POST /v1/profiles/{name}/disconnect",
            "DELETE /v1/profiles/{name}",
        ] { #expect(roles[admin] == .admin, "\(admin)") }
    }

    @Test(arguments: [
        ("GET", "/v1/profiles/alpha/logs", AccessRole.read), ("GET", "//v1//profiles/alpha/", .read),
        ("GET", "/v1/nosuch", .read), ("POST", "/v1/profiles/alpha/sync", .operate),
        ("POST", "/v1/profiles/alpha/disconnect", .admin), ("DELETE", "/v1/profiles/alpha", .admin),
        ("POST", "/v1/profiles/alpha/nosuch", .admin), ("PATCH", "/v1/profiles/alpha", .admin),
        ("POST", "/v1/profiles", .admin), ("PUT", "/v1/profiles/alpha/schedule", .admin),
    ])
    func unknownRoutesNeedAdminUnlessTheyAreReads(method: String, path: String, role: AccessRole) {
        #expect(ControlRoutes.requiredRole(method, path) == role)
    }

    @Test func theGateAnswers401Then403ThenAdmits() throws {
        let gate = AccessGate(tokens: try AccessTokens.parse(Self.file, file: "t"))
        func answer(_ method: String, _ path: String, _ token: String?, tcp: Bool = true) -> (Int, String, AccessRole) {
            var r = Self.request(method, path, token: token)
            r.role = .read
            guard let refusal = gate.admit(&r, tcp: tcp) else { return (200, "", r.role) }
            guard case .full(let status, let type, let body) = refusal else { return (0, "", r.role) }
            #expect(type == "application/json")
            let result = try? Wire.decoder().decode(ActionResult.self, from: Data(body))
            return (status, result?.code?.rawValue ?? "", r.role)
        }
        #expect(answer("GET", "/v1/profiles", nil) == (401, "api.unauthorized", .read))
        #expect(answer("GET", "/v1/profiles", "nope") == (401, "api.unauthorized", .read))
        #expect(answer("POST", "/v1/profiles/x/sync", "nope") == (401, "api.unauthorized", .read))
        #expect(answer("GET", "/v1/profiles", "r-token-1") == (200, "", .read))
        #expect(answer("POST", "/v1/profiles/x/sync", "r-token-1") == (403, "api.forbidden", .read))
        #expect(answer("POST", "/v1/profiles/x/sync", "o-token-2") == (200, "", .operate))
        #expect(answer("POST", "/v1/reload", "o-token-2") == (200, "", .operate))
        #expect(answer("POST", "/v1/profiles", "o-token-2") == (403, "api.forbidden", .read))
        #expect(answer("DELETE", "/v1/profiles/x", "o-token-2") == (403, "api.forbidden", .read))
        #expect(answer("DELETE", "/v1/profiles/x", "a-token-3") == (200, "", .admin))
        #expect(answer("GET", "/v1/me", "a-token-3") == (200, "", .admin))
        // The console's files need no token; anything else under /console or beside it does.
        #expect(answer("GET", "/", nil) == (200, "", .read))
        #expect(answer("GET", "/console/app.js", nil) == (200, "", .read))
        #expect(answer("GET", "/console/app.js", "o-token-2") == (200, "", .operate))
        for path in ["/console/", "/console/../v1/profiles", "/console/%2e%2e/x", "/console//x", "/index.html"] {
            #expect(answer("GET", path, nil).0 == 401, "\(path)")
        }
        #expect(answer("POST", "/", nil).0 == 401)
        // The unix socket: admin, token or not.
        #expect(answer("DELETE", "/v1/profiles/x", nil, tcp: false) == (200, "", .admin))
    }
}
