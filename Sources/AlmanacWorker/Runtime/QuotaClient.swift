import AlmanacHTTP
import AlmanacWire
import Foundation
import Logging
import Synchronization

/// The worker's side of the quota governor (README "Quota governor"): `acquire` writes a
/// `quota_ask` on fd 4 and blocks the job thread until the command loop hands it the matching
/// `quota_grant` read on fd 3. Set as `QuotaGates.current` under the daemon only.
final class QuotaClient: QuotaGate, @unchecked Sendable {  // @unchecked: state under `condition`
    private let events: EventChannel
    private let condition = NSCondition()
    private var nextID = 0
    private var granted: [String: Int] = [:]
    private var closed = false
    /// Round trips of asks granted at once, in µs (at most `maxSamples`, the latest kept; grown
    /// as they come, so a run of a few requests keeps a few).
    private var samples: [Double] = []
    private var sampleAt = 0
    /// Asks granted at once since the last `takeRoundTrips`, all of them (`samples` keeps the latest).
    private var grantedAtOnce = 0
    static let maxSamples = 16_384
    /// The keys' JSON text, made once per key set.
    private let keysText = Mutex<[[String]: String]>([:])

    init(events: EventChannel) { self.events = events }

    func acquire(keys: [String], tokens: Int) {
        let json = keysText.withLock { cache in
            if let t = cache[keys] { return t }
            let t = QuotaLine.keysJSON(keys)
            cache[keys] = t
            return t
        }
        condition.lock()
        nextID += 1
        let id = "q\(nextID)"
        condition.unlock()
        let start = ContinuousClock.now
        events.sendRaw(QuotaLine.ask(id: id, keysJSON: json, tokens: max(1, tokens)))
        condition.lock()
        defer { condition.unlock() }
        while granted[id] == nil && !closed { condition.wait() }
        guard let waited = granted.removeValue(forKey: id) else { return }
        let elapsed = ContinuousClock.now - start
        let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        if waited == 0 { record(micros) }
    }

    func rateLimited(keys: [String], status: Int, retryAfter: TimeInterval?) {
        let ms = retryAfter.map { Int(($0 * 1000).rounded()) }
        events.send(.quotaReport(.init(keys: keys, status: status, retryAfterMS: ms)))
    }

    /// Called by the command loop with a `quota_grant`.
    func grant(id: String, waitedMS: Int) {
        condition.lock()
        granted[id] = waitedMS
        condition.broadcast()
        condition.unlock()
    }

    /// The command loop ends: nothing will be granted any more; waiting asks return.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Counts an ask granted at once and keeps its round trip (under `condition`).
    func record(_ micros: Double) {
        grantedAtOnce += 1
        if samples.count < Self.maxSamples {
            samples.append(micros)
        } else {
            samples[sampleAt] = micros
            sampleAt = (sampleAt + 1) % Self.maxSamples
        }
    }

    /// How many asks were granted at once (all of them) and their round trip's p50, p99 and max in
    /// µs (of the latest `maxSamples`), then forgets them; nil when there were none.
    func takeRoundTrips() -> (count: Int, p50: Double, p99: Double, max: Double)? {
        condition.lock()
        let s = samples.sorted()
        let count = grantedAtOnce
        samples = []
        sampleAt = 0
        grantedAtOnce = 0
        condition.unlock()
        guard !s.isEmpty else { return nil }
        func at(_ q: Double) -> Double { s[min(s.count - 1, Int((Double(s.count) * q).rounded(.up)) - 1)] }
        return (count, at(0.5), at(0.99), s[s.count - 1])
    }
}
