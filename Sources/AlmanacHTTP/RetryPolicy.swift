import Foundation

/// How failed requests are retried: exponential backoff with full jitter, capped, honouring
/// `Retry-After` when the server sends one (a longer `Retry-After` wins over the backoff).
/// The one retry policy of HTTP calls, applied by `HTTPClient` alone (see its comment for which
/// answers are retried); `.standard` is what every connection uses.
public struct RetryPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Longest `Retry-After` obeyed; a longer one fails the request as retryable.
    public var maxRetryAfter: TimeInterval

    public init(
        maxAttempts: Int = 6, baseDelay: TimeInterval = 0.2, maxDelay: TimeInterval = 20,
        maxRetryAfter: TimeInterval = 120
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let standard = RetryPolicy()

    /// The delay before attempt `attempt + 1` (attempt counts from 1): a random value in
    /// [backoff/2, backoff] where backoff = min(maxDelay, baseDelay × 2^(attempt-1)), or the
    /// server's `Retry-After` when that is longer.
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?) -> TimeInterval {
        let backoff = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        let jittered = Double.random(in: (backoff / 2)...backoff)
        if let retryAfter { return max(retryAfter, jittered) }
        return jittered
    }

    /// Statuses retried whatever the service: 408, 429, 500, 502, 503, 504.
    public static func isRetryable(status: Int) -> Bool {
        [408, 429, 500, 502, 503, 504].contains(status)
    }

    /// curl failures worth retrying: connect/resolve failures, resets, timeouts, empty replies.
    /// TLS verification failures are not.
    public static func isRetryable(curlCode: Int) -> Bool {
        [5, 6, 7, 18, 28, 52, 55, 56, 16, 92].contains(curlCode)
    }

    public var description: String {
        "attempts=\(maxAttempts) base=\(baseDelay)s max=\(maxDelay)s jitter=full(half..1) retry_after<=\(maxRetryAfter)s"
    }
}

/// A cap on requests per run of one connection. `limit == nil` means unlimited.
public struct RequestBudget: Sendable, Hashable {
    public var limit: Int?
    public private(set) var used = 0

    public init(limit: Int? = nil) { self.limit = limit }

    /// Takes `n` requests from the budget; false when that would exceed it.
    public mutating func take(_ n: Int = 1) -> Bool {
        if let limit, used + n > limit { return false }
        used += n
        return true
    }

    public mutating func reset() { used = 0 }
}
