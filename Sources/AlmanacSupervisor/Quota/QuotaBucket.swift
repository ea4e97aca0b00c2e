import AlmanacCore

/// One quota key's token bucket (README "Quota governor"): refilled at `rate` tokens a second up
/// to `burst`, computed when asked (no timer while nothing waits). A rate refusal halves the rate
/// (at most once a second, down to `floor`) and empties the bucket; the rate then grows back by
/// `recovery` of the configured rate every second (AIMD). A `Retry-After` holds the whole key.
/// Whatever the bucket holds, no more than the configured rate is granted in any 60 s + `lag`
/// (`MinuteWindow`): the burst lets a quiet key start at once, not exceed its minute, and a
/// request that reaches the provider up to `lag` late still falls in a minute that has room.
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
    /// The tokens granted in the last 60 s + `lag`.
    private(set) var minute: MinuteWindow

    init(key: String, limit: QuotaRate, now: Double) {
        self.key = key
        self.limit = limit
        rate = limit.perMinute / 60
        tokens = Double(limit.burst)
        updated = now
        minute = MinuteWindow(seconds: 60 + limit.lag)
    }

    var configuredPerSecond: Double { limit.perMinute / 60 }

    /// Brings tokens, rate and the last minute's grants up to `now`.
    mutating func refill(now: Double) {
        minute.expire(now: now)
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

    /// What the minute's quota needs free for an ask of `n`: all of them, or the whole minute for
    /// a batch larger than it.
    func minuteNeed(_ n: Int) -> Double { min(Double(n), limit.perMinute) }

    /// True when `n` tokens may go now (call `refill` first).
    func canTake(_ n: Int, now: Double) -> Bool {
        now >= blockedUntil && tokens >= need(n) - 1e-9
            && Double(minute.granted) + minuteNeed(n) <= limit.perMinute + 1e-9
    }

    /// What may go at once now (call `refill` first): the bucket's tokens, less what the minute's
    /// quota has left.
    var available: Double { min(tokens, limit.perMinute - Double(minute.granted)) }

    mutating func take(_ n: Int, now: Double) {
        tokens -= Double(n)
        granted += n
        grants += 1
        minute.add(n, now: now)
    }

    /// When `n` tokens will be there at the current rate and within the minute's quota
    /// (monotonic seconds).
    func readyAt(_ n: Int) -> Double {
        let short = need(n) - tokens
        let refillAt = short <= 0 ? updated : updated + short / max(rate, configuredPerSecond * Self.floor)
        let roomAt = minute.freeAt(room: minuteNeed(n), of: limit.perMinute)
        return max(blockedUntil, refillAt, roomAt)
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

/// The tokens a bucket granted in the last `seconds`, counted in `slot`-long slots: a slot's
/// tokens are forgotten `span` slots after it (`seconds` + 0.1 s), so any `seconds` of grants
/// lies within what is counted. Only slots that granted something are kept (a quiet key keeps
/// nothing).
struct MinuteWindow: Sendable {
    static let slot = 0.1
    let span: Int

    init(seconds: Double = 60) {
        span = Int((seconds / Self.slot - 1e-9).rounded(.up)) + 1
    }

    private var slots: [(index: Int, tokens: Int)] = []
    private var first = 0
    /// The tokens of the slots still counted.
    private(set) var granted = 0

    static func index(_ now: Double) -> Int { Int((now / slot).rounded(.down)) }

    /// Forgets the slots that have left the window at `now`.
    mutating func expire(now: Double) {
        let oldest = Self.index(now) - span + 1
        while first < slots.count, slots[first].index < oldest {
            granted -= slots[first].tokens
            first += 1
        }
        if first == slots.count {
            slots.removeAll()
            first = 0
        } else if first >= 64 && first * 2 >= slots.count {
            slots.removeFirst(first)
            first = 0
        }
    }

    mutating func add(_ n: Int, now: Double) {
        let i = Self.index(now)
        if first < slots.count, slots[slots.count - 1].index == i {
            slots[slots.count - 1].tokens += n
        } else {
            slots.append((i, n))
        }
        granted += n
    }

    /// The earliest time at which `room` more tokens keep the window within `quota` (monotonic
    /// seconds; -infinity when they do now).
    func freeAt(room: Double, of quota: Double) -> Double {
        var left = Double(granted)
        guard left + room > quota + 1e-9 else { return -.infinity }
        for k in first..<slots.count {
            left -= Double(slots[k].tokens)
            // A little past the slot's end, so that the index computed then has moved on.
            if left + room <= quota + 1e-9 { return Double(slots[k].index + span) * Self.slot + 1e-6 }
        }
        return -.infinity
    }
}
