import AlmanacCore

/// One quota key's token bucket (README "Quota governor"): refilled at `rate` tokens a second up
/// to `burst`, computed when asked (no timer while nothing waits). A rate refusal halves the rate
/// (at most once a second, down to `floor`) and empties the bucket; the rate then grows back by
/// `recovery` of the configured rate every second (AIMD). A `Retry-After` holds the whole key.
struct QuotaBucket: Sendable {
    /// Of the configured rate: the lowest the rate falls to, and what comes back each second.
    static let floor = 0.05
    static let recovery = 0.02

    let key: String
    let limit: QuotaRate
    /// Tokens a second now (the configured rate / 60 unless refusals cut it).
    private(set) var rate: Double
    /// May be negative: a batch larger than what was there takes it into debt.
    private(set) var tokens: Double
    private var updated: Double
    private var lastCut = -Double.infinity
    /// Nothing is granted before this (monotonic seconds): the latest `Retry-After`.
    private(set) var blockedUntil = 0.0
    // What `/v1/quota` and `/metrics` show.
    private(set) var granted = 0
    private(set) var grants = 0
    var waits = 0
    var waitSeconds = 0.0
    private(set) var rateLimited = 0

    init(key: String, limit: QuotaRate, now: Double) {
        self.key = key
        self.limit = limit
        rate = limit.perMinute / 60
        tokens = Double(limit.burst)
        updated = now
    }

    var configuredPerSecond: Double { limit.perMinute / 60 }

    /// Brings tokens and rate up to `now`.
    mutating func refill(now: Double) {
        let dt = max(0, now - updated)
        guard dt > 0 else { return }
        let top = configuredPerSecond
        if rate < top {
            // Additive recovery, tokens earned at the mean rate over the interval.
            let next = min(top, rate + top * Self.recovery * dt)
            tokens += (rate + next) / 2 * dt
            rate = next
        } else {
            tokens += rate * dt
        }
        tokens = min(tokens, Double(limit.burst))
        updated = now
    }

    /// What an ask of `n` tokens needs in the bucket: all of them, or a full bucket for a batch
    /// larger than the burst.
    func need(_ n: Int) -> Double { Double(min(n, limit.burst)) }

    /// True when `n` tokens may go now (call `refill` first).
    func canTake(_ n: Int, now: Double) -> Bool { now >= blockedUntil && tokens >= need(n) - 1e-9 }

    mutating func take(_ n: Int) {
        tokens -= Double(n)
        granted += n
        grants += 1
    }

    /// When `n` tokens will be there at the current rate (monotonic seconds).
    func readyAt(_ n: Int) -> Double {
        let short = need(n) - tokens
        let refillAt = short <= 0 ? updated : updated + short / max(rate, configuredPerSecond * Self.floor)
        return max(blockedUntil, refillAt)
    }

    /// A request was refused for its rate: multiplicative decrease, `retryAfter` holds the key.
    mutating func refused(retryAfter: Double?, now: Double) {
        refill(now: now)
        rateLimited += 1
        if let retryAfter, retryAfter > 0 { blockedUntil = max(blockedUntil, now + retryAfter) }
        guard now - lastCut >= 1 else { return }  // one cut for the refusals of one burst
        lastCut = now
        rate = max(configuredPerSecond * Self.floor, rate / 2)
        tokens = min(tokens, 0)
    }
}
