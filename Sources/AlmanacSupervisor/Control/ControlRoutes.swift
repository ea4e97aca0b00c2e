import AlmanacWire

/// One endpoint of the control API: its method, its path pattern (`{name}` stands for one path
/// segment) and the least role that may call it on the TCP listener.
public struct ControlRoute: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var pattern: String
    public var role: AccessRole

    init(_ method: String, _ pattern: String, _ role: AccessRole) {
        self.method = method
        self.pattern = pattern
        self.role = role
    }

    public var description: String { "\(method) \(pattern)" }

    /// True when `method` and the path's segments (empty ones dropped, as the router drops them) fit.
    func matches(_ method: String, _ segments: [Substring]) -> Bool {
        let parts = pattern.split(separator: "/")
        return method == self.method && parts.count == segments.count
            && zip(parts, segments).allSatisfy { p, s in p.hasPrefix("{") || p == s }
    }
}

/// The control API's endpoints and who may call them: the one table the TCP listener's role check
/// reads, and that the OpenAPI document (`docs/openapi.json`) is tested against.
public enum ControlRoutes {
    public static let all: [ControlRoute] = [
        ControlRoute("GET", "/v1/health", .read),
        ControlRoute("GET", "/metrics", .read),
        ControlRoute("GET", "/v1/me", .read),
        ControlRoute("GET", "/v1/openapi.json", .read),
        ControlRoute("GET", "/v1/profiles", .read),
        ControlRoute("GET", "/v1/quota", .read),
        ControlRoute("GET", "/v1/profiles/{name}", .read),
        ControlRoute("GET", "/v1/profiles/{name}/logs", .read),
        ControlRoute("GET", "/v1/profiles/{name}/runs", .read),
        ControlRoute("GET", "/v1/profiles/{name}/conflicts", .read),
        ControlRoute("GET", "/v1/templates", .read),
        ControlRoute("GET", "/v1/templates/{name}", .read),
        ControlRoute("POST", "/v1/reload", .operate),
        ControlRoute("POST", "/v1/profiles/{name}/sync", .operate),
        ControlRoute("POST", "/v1/profiles/{name}/restart", .operate),
        ControlRoute("POST", "/v1/profiles/{name}/enable", .operate),
        ControlRoute("POST", "/v1/profiles/{name}/disable", .operate),
        ControlRoute("POST", "/v1/profiles/{name}/test-connection", .operate),
        // Provisioning.
        ControlRoute("POST", "/v1/profiles", .admin),
        ControlRoute("PUT", "/v1/profiles/{name}/schedule", .admin),
        ControlRoute("POST", "/v1/profiles/{name}/disconnect", .admin),
        ControlRoute("DELETE", "/v1/profiles/{name}", .admin),
    ]

    /// The route `method path` is, if any.
    public static func route(_ method: String, _ path: String) -> ControlRoute? {
        let segments = path.split(separator: "/")
        return all.first { $0.matches(method, segments) }
    }

    /// The least role that may send `method path`: its route's; for a path no route has, `read`
    /// for a `GET` (it can only be answered 404) and `admin` for anything else, so an endpoint
    /// missing from this table is never open to a role below `admin`.
    public static func requiredRole(_ method: String, _ path: String) -> AccessRole {
        route(method, path)?.role ?? (method == "GET" ? .read : .admin)
    }

    /// True for what the TCP listener serves without a token: the web console's page and files
    /// (`GET /` and `GET /console/FILE`). A path with an empty or dot-led segment, a `%` or a
    /// backslash (`..`, `%2e`) is not public.
    public static func isPublic(_ method: String, _ path: String) -> Bool {
        guard method == "GET" else { return false }
        if path == "/" { return true }
        guard path.hasPrefix("/console/") else { return false }
        let file = path.dropFirst(9).split(separator: "/", omittingEmptySubsequences: false)
        return file.allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("%") && !$0.contains("\\") }
    }
}
