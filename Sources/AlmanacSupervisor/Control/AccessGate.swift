import AlmanacCore
import AlmanacWire

/// Who may send what, decided before a request reaches a route: on the unix socket every caller
/// is `admin` (the socket's file permissions decide who connects); on the TCP listener the bearer
/// token's role must reach the route's (`ControlRoutes`), except for the public console files.
struct AccessGate: Sendable {
    /// The TCP listener's tokens (nil without `--listen`).
    var tokens: AccessTokens?

    /// Sets `request.role` and returns nil, or returns the answer that refuses the request: 401
    /// `api.unauthorized` without a known token, 403 `api.forbidden` when its role is too low.
    func admit(_ request: inout HTTPRequest, tcp: Bool) -> HTTPResponse? {
        guard tcp else {
            request.role = .admin
            return nil
        }
        let role = tokens?.role(of: request)
        if ControlRoutes.isPublic(request.method, request.path) {
            request.role = role ?? .read
            return nil
        }
        guard let role else {
            return Self.refusal(401, .apiUnauthorized, "missing or unknown bearer token")
        }
        let needed = ControlRoutes.requiredRole(request.method, request.path)
        guard role >= needed else {
            return Self.refusal(
                403, .apiForbidden,
                "a \(role) token may not \(request.method) \(request.path.prefix(200)): that needs \(needed)")
        }
        request.role = role
        return nil
    }

    private static func refusal(_ status: Int, _ code: ErrorCode, _ message: String) -> HTTPResponse {
        .json(status, (try? Array(Wire.encoder().encode(ActionResult(ok: false, message: message, code: code)))) ?? [])
    }
}
