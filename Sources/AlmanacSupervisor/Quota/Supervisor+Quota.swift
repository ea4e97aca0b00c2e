import AlmanacCore
import AlmanacWire
import Foundation

/// The quota governor on the event loop (README "Quota governor"). Called under `lock`.
extension Supervisor {
    /// A `quota_ask` from `slot`'s worker: granted at once, or queued with the loop's next
    /// deadline moved to when it may go.
    func quotaAsk(_ slot: WorkerSlot, id: String, keys: [String], tokens: Int, now: Double) {
        if quota.ask(profile: slot.name, id: id, keys: keys, tokens: tokens, now: now) {
            sendGrant(slot, id: id, waitedMS: 0)
        } else if let due = quota.nextDue() {
            nextDue = min(nextDue, due)
        }
    }

    /// An ask line of the hot path: its keys' JSON text decoded once per distinct text.
    func quotaAsk(_ slot: WorkerSlot, id: String, keysJSON: String, tokens: Int, now: Double) -> Bool {
        let keys: [String]
        if let known = quotaKeyTexts[keysJSON] {
            keys = known
        } else {
            guard let decoded = try? eventDecoder.decode([String].self, from: Data(keysJSON.utf8)) else { return false }
            if quotaKeyTexts.count < 10_000 { quotaKeyTexts[keysJSON] = decoded }
            keys = decoded
        }
        quotaAsk(slot, id: id, keys: keys, tokens: tokens, now: now)
        return true
    }

    /// A `quota_report`: the keys' buckets shrink for every worker; a `Retry-After` holds them.
    func quotaRefused(_ slot: WorkerSlot, _ m: PipeMessage.QuotaReport, now: Double) {
        quota.refused(keys: m.keys, retryAfter: m.retryAfterMS.map { Double($0) / 1000 }, now: now)
        record(
            slot, "info", "quota: the server refused a request for its rate; the key slows down for every profile",
            ["quota_keys": m.keys.joined(separator: ","), "status": String(m.status)]
                .merging(m.retryAfterMS.map { ["retry_after_ms": String($0)] } ?? [:]) { a, _ in a })
    }

    /// The timer pass: grants the asks whose tokens are there.
    func quotaTimers(now: Double) {
        for g in quota.grantDue(now: now) {
            guard let slot = slots[g.profile] else { continue }
            sendGrant(slot, id: g.id, waitedMS: g.waitedMS)
        }
    }

    /// A worker exited: its asks wait no more.
    func quotaDrop(_ slot: WorkerSlot) { quota.drop(profile: slot.name) }

    private func sendGrant(_ slot: WorkerSlot, id: String, waitedMS: Int) {
        guard let process = slot.process, process.grantFD >= 0 else { return }
        _ = writeAll(process.grantFD, QuotaLine.grant(id: id, waitedMS: waitedMS), timeoutMS: 1_000)
    }

    /// `GET /v1/quota`.
    func quotaStatus() -> QuotaStatus {
        let now = monotonicSeconds()
        return QuotaStatus(
            buckets: quota.snapshot(now: now).map { b in
                QuotaStatus.Bucket(
                    key: b.key, ratePerMinute: b.limit.perMinute, burst: b.limit.burst,
                    currentPerMinute: (b.rate * 60 * 1000).rounded() / 1000,
                    tokens: (b.available * 1000).rounded() / 1000,
                    granted: b.granted, grants: b.grants, waits: b.waits, waitMS: Int((b.waitSeconds * 1000).rounded()),
                    waiting: quota.waiting(on: b.key), rateLimited: b.rateLimited,
                    blockedMS: b.blockedUntil > now ? Int(((b.blockedUntil - now) * 1000).rounded(.up)) : nil)
            })
    }

    /// The `almanac_quota_*` families of `/metrics`.
    func quotaMetrics() -> String {
        let buckets = quotaStatus().buckets
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ value: (QuotaStatus.Bucket) -> String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for b in buckets { out += "\(name){key=\"\(Self.labelEscaped(b.key))\"} \(value(b))\n" }
        }
        family("almanac_quota_granted_total", "counter", "Requests granted on the quota key.") { "\($0.granted)" }
        family("almanac_quota_waits_total", "counter", "Asks that waited for the key's tokens.") { "\($0.waits)" }
        family("almanac_quota_wait_seconds_total", "counter", "Time asks waited for the key's tokens.") {
            String(Double($0.waitMS) / 1000)
        }
        family("almanac_quota_rate_limited_total", "counter", "429s and rate-limit 403s reported on the key.") {
            "\($0.rateLimited)"
        }
        family("almanac_quota_rate_per_minute", "gauge", "The key's rate now (requests per minute).") {
            String($0.currentPerMinute)
        }
        family(
            "almanac_quota_tokens", "gauge",
            "Requests that may go at once on the key now: its bucket's tokens, within its minute."
        ) { String($0.tokens) }
        family("almanac_quota_waiting", "gauge", "Asks waiting on the key now.") { "\($0.waiting)" }
        return out
    }

    static func labelEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
