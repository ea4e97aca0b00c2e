import Foundation

/// A fault the fakes can inject in place of a normal answer.
public enum FaultKind: String, Sendable, CaseIterable, Codable {
    /// 429 with `Retry-After` (seconds).
    case tooManyRequests = "429"
    /// 403 with a rate-limit reason (Google's `userRateLimitExceeded`; Cronofy answers 429 instead).
    case rateLimited = "403"
    case internalError = "500"
    case unavailable = "503"
    /// The connection is reset after the request was applied: the answer is lost.
    case reset
    /// The normal answer, late.
    case slow
}

/// Which faults to inject and how often. Deterministic for a given seed.
public struct FaultPolicy: Sendable {
    /// Fraction of requests (0…1) that get a fault.
    public var rate: Double
    public var kinds: [FaultKind]
    /// Seconds announced in `Retry-After` of injected 429s.
    public var retryAfter: Int
    /// Delay of `slow` answers.
    public var slowDelay: TimeInterval
    public var seed: UInt64

    public init(
        rate: Double, kinds: [FaultKind] = FaultKind.allCases, retryAfter: Int = 1,
        slowDelay: TimeInterval = 0.3, seed: UInt64 = 42
    ) {
        self.rate = rate
        self.kinds = kinds
        self.retryAfter = retryAfter
        self.slowDelay = slowDelay
        self.seed = seed
    }

    public static let none = FaultPolicy(rate: 0)
}

/// Draws faults according to a policy (thread-safe).
final class FaultInjector: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var policy: FaultPolicy
    private var state: UInt64

    init(_ policy: FaultPolicy) {
        self.policy = policy
        self.state = policy.seed
    }

    func set(_ policy: FaultPolicy) {
        lock.withLock {
            self.policy = policy
            self.state = policy.seed
        }
    }

    var current: FaultPolicy { lock.withLock { policy } }

    /// Faults promised to the next request whose path starts with a prefix, once each.
    private var scripted: [(kind: FaultKind, pathPrefix: String)] = []

    /// The next request whose path starts with `pathPrefix` gets `kind` (once).
    func once(_ kind: FaultKind, pathPrefix: String) {
        lock.withLock { scripted.append((kind, pathPrefix)) }
    }

    /// The fault for the next request (to `path`), or nil.
    func draw(path: String = "") -> FaultKind? {
        lock.withLock {
            if let i = scripted.firstIndex(where: { path.hasPrefix($0.pathPrefix) }) {
                return scripted.remove(at: i).kind
            }
            guard policy.rate > 0, !policy.kinds.isEmpty else { return nil }
            let r = Double(next() % 1_000_000) / 1_000_000
            guard r < policy.rate else { return nil }
            return policy.kinds[Int(next() % UInt64(policy.kinds.count))]
        }
    }

    /// SplitMix64.
    private func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
