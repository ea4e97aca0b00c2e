import Foundation

/// What a caller of the control API may do (README "Access control"). Each role includes the ones
/// below it: `read` < `operate` < `admin`.
///
/// - `read`: every `GET` (status, history, logs, metrics, the OpenAPI document).
/// - `operate`: also sync, restart, enable, disable, test-connection and reload.
/// - `admin`: everything, provisioning included. Every caller on the unix socket is `admin`.
public enum AccessRole: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case read, operate, admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .operate: 1
        case .admin: 2
        }
    }

    public static func < (a: AccessRole, b: AccessRole) -> Bool { a.rank < b.rank }
}

/// `GET /v1/me`: the caller's role, so a client shows only what it may use.
public struct CallerInfo: Codable, Sendable, Hashable {
    public var role: AccessRole
    public init(role: AccessRole) { self.role = role }
}
