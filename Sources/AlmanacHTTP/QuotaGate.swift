import Foundation
import Synchronization

/// Where an HTTP client asks for quota before it sends (README "Quota governor"): the worker's
/// pipe to the supervisor's governor under `almanac daemon`; none under `almanac run`, where
/// nothing asks.
public protocol QuotaGate: Sendable {
    /// Blocks until `tokens` requests may be sent on every key of `keys`.
    func acquire(keys: [String], tokens: Int)
    /// A request on `keys` was refused for its rate (`status` 429 or a rate-limit 403).
    func rateLimited(keys: [String], status: Int, retryAfter: TimeInterval?)
}

/// The process's quota gate: set once by the worker before its first run; nil otherwise.
public enum QuotaGates {
    private static let gate = Mutex<(any QuotaGate)?>(nil)

    public static var current: (any QuotaGate)? {
        get { gate.withLock { $0 } }
        set { gate.withLock { $0 = newValue } }
    }
}

/// The quota keys of one connection's client: the shared (project or application) key and, for
/// a provider that meters users too, the per-user key.
public struct QuotaKeys: Sendable, Hashable {
    public var keys: [String]
    /// Requests to this URL are not metered (the OAuth token endpoint).
    public var unmeteredURL: String?

    public init(keys: [String], unmeteredURL: String? = nil) {
        self.keys = keys
        self.unmeteredURL = unmeteredURL
    }

    /// The keys of a connection of connector `kind` with OAuth client `clientID`:
    /// `KIND:QUOTA_KEY` (`quota_key`, default the client id: every profile of one project or
    /// application shares it) and, for `google`, `google_user:QUOTA_KEY:ACCOUNT` with `account`
    /// (`quota_user`, default the profile and connection).
    public static func of(
        kind: String, clientID: String, quotaKey: String?, account: String?, profile: String?, connection: String
    ) -> [String] {
        let shared = quotaKey ?? clientID
        var keys = ["\(kind):\(shared)"]
        if kind == "google" {
            keys.append("google_user:\(shared):\(account ?? "\(profile ?? "")/\(connection)")")
        }
        return keys
    }
}
