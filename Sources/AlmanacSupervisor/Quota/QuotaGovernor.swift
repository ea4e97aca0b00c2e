import AlmanacCore

/// The supervisor's quota governor (README "Quota governor"): token buckets per quota key, the
/// asks that wait for them, and fair share among the profiles that wait.
///
/// An ask names keys (the first the shared one, `KIND:…`; keys of a kind without a rate are not
/// governed) and a number of tokens. It is granted at once when nothing waits on its first key and
/// every bucket has the tokens; otherwise it waits in its first key's queue. Queues are first in,
/// first out, and a worker has one ask out at a time (its job thread waits for the grant), so the
/// profiles waiting on a key take turns: a profile with 10,000 events asks again at the back of
/// the queue after each grant, and the small ones between its asks. Used under the supervisor's
/// lock; times are monotonic seconds.
struct QuotaGovernor: Sendable {
    struct Ask: Sendable, Hashable {
        var profile: String
        var id: String
        var keys: [String]
        var tokens: Int
        var since: Double
    }

    /// An ask granted: tell `profile` that `id` may go.
    struct Grant: Sendable, Hashable {
        var profile: String
        var id: String
        var waitedMS: Int
    }

    let config: QuotaConfig
    private(set) var buckets: [String: QuotaBucket] = [:]
    /// Waiting asks by their first key.
    private(set) var queues: [String: [Ask]] = [:]

    init(config: QuotaConfig) { self.config = config }

    /// Grants the ask now (true) or queues it (false: a `Grant` comes from `grantDue`).
    mutating func ask(profile: String, id: String, keys: [String], tokens: Int, now: Double) -> Bool {
        let governed = keys.filter { config.rate(forKey: $0) != nil }
        guard let first = governed.first else { return true }
        let ask = Ask(profile: profile, id: id, keys: governed, tokens: max(1, tokens), since: now)
        if queues[first]?.isEmpty ?? true, tryTake(ask, now: now) { return true }
        queues[first, default: []].append(ask)
        return false
    }

    /// A worker saw a 429 or a rate-limit 403 on `keys`: every bucket of them shrinks.
    mutating func refused(keys: [String], retryAfter: Double?, now: Double) {
        for key in keys where config.rate(forKey: key) != nil {
            ensureBucket(key, now: now)
            buckets[key]!.refused(retryAfter: retryAfter, now: now)
        }
    }

    /// The asks that may go now, in queue order (each key's queue served from its head; an ask
    /// short of its first key's tokens stops that queue, one short only of a per-user bucket lets
    /// the next profile go first).
    mutating func grantDue(now: Double) -> [Grant] {
        var out: [Grant] = []
        for first in queues.keys.sorted() {
            var queue = queues[first] ?? []
            var i = 0
            while i < queue.count {
                let ask = queue[i]
                if tryTake(ask, now: now) {
                    queue.remove(at: i)
                    let waited = now - ask.since
                    for k in ask.keys {
                        buckets[k]?.waits += 1
                        buckets[k]?.waitSeconds += waited
                    }
                    let ms = max(1, Int((waited * 1000).rounded()))
                    out.append(Grant(profile: ask.profile, id: ask.id, waitedMS: ms))
                    continue
                }
                if !(buckets[first]?.canTake(ask.tokens, now: now) ?? true) { break }
                i += 1
            }
            queues[first] = queue.isEmpty ? nil : queue
        }
        return out
    }

    /// When the next waiting ask may be granted; nil when nothing waits (then no timer at all).
    func nextDue() -> Double? {
        var next: Double?
        for queue in queues.values {
            guard let head = queue.first else { continue }
            let at = head.keys.compactMap { buckets[$0]?.readyAt(head.tokens) }.max() ?? 0
            next = min(next ?? at, at)
        }
        return next
    }

    /// Drops the asks of a worker that has exited.
    mutating func drop(profile: String) {
        for (key, queue) in queues {
            let kept = queue.filter { $0.profile != profile }
            queues[key] = kept.isEmpty ? nil : kept
        }
    }

    /// Asks waiting on `key`'s queue now.
    func waiting(on key: String) -> Int { queues[key]?.count ?? 0 }

    /// The buckets brought up to `now`, by key.
    mutating func snapshot(now: Double) -> [QuotaBucket] {
        for key in buckets.keys { buckets[key]!.refill(now: now) }
        return buckets.values.sorted { $0.key < $1.key }
    }

    private mutating func tryTake(_ ask: Ask, now: Double) -> Bool {
        for key in ask.keys {
            ensureBucket(key, now: now)
            buckets[key]!.refill(now: now)
            guard buckets[key]!.canTake(ask.tokens, now: now) else { return false }
        }
        for key in ask.keys { buckets[key]!.take(ask.tokens, now: now) }
        return true
    }

    /// Makes `key`'s bucket (full) when it has none yet.
    private mutating func ensureBucket(_ key: String, now: Double) {
        if buckets[key] == nil, let limit = config.rate(forKey: key) {
            buckets[key] = QuotaBucket(key: key, limit: limit, now: now)
        }
    }
}
