import AlmanacCore
import AlmanacTestKit
import Testing

@testable import AlmanacSupervisor

/// The governor's buckets, queue and AIMD on a clock the test moves (README "Quota governor").
@Suite(.timeLimit(.minutes(10)))
struct QuotaGovernorTests {
    /// 60/min (1 a second), burst 2, on `google:` keys.
    static let config = QuotaConfig(rates: ["google": QuotaRate(perMinute: 60, burst: 2)])

    @Test func asksAreGrantedUpToTheBurstThenAtTheRate() {
        let g = Governor(Self.config)
        #expect(g.ask(profile: "a", id: "q1", keys: ["google:c"], tokens: 1, now: 0))
        #expect(g.ask(profile: "a", id: "q2", keys: ["google:c"], tokens: 1, now: 0))
        #expect(!g.ask(profile: "a", id: "q3", keys: ["google:c"], tokens: 1, now: 0))
        #expect(g.grantDue(now: 0.5).isEmpty)
        #expect(g.nextDue() == 1)
        #expect(g.grantDue(now: 1) == [.init(profile: "a", id: "q3", waitedMS: 1_000)])
        #expect(g.nextDue() == nil, "nothing waits: no timer")
    }

    @Test func keysOfAKindWithoutARateAreNotGoverned() {
        let g = Governor(Self.config)
        for i in 0..<100 { #expect(g.ask(profile: "a", id: "q\(i)", keys: ["exec:x"], tokens: 50, now: 0)) }
        #expect(g.snapshot(now: 0).isEmpty)
    }

    @Test func waitingProfilesTakeTurns() {
        let g = Governor(Self.config)
        _ = g.ask(profile: "big", id: "b1", keys: ["google:c"], tokens: 2, now: 0)
        #expect(!g.ask(profile: "big", id: "b2", keys: ["google:c"], tokens: 2, now: 0))
        #expect(!g.ask(profile: "small", id: "s1", keys: ["google:c"], tokens: 1, now: 0.1))
        // The big one's ask came first and gets the bucket first; it asks again behind the small one.
        #expect(g.grantDue(now: 2).map(\.id) == ["b2"])
        #expect(!g.ask(profile: "big", id: "b3", keys: ["google:c"], tokens: 2, now: 2))
        #expect(g.grantDue(now: 3).map(\.id) == ["s1"])
        #expect(g.grantDue(now: 5).map(\.id) == ["b3"])
    }

    @Test func aBatchLargerThanTheBurstGoesOnAFullBucketAndLeavesADebt() {
        let g = Governor(Self.config)
        #expect(g.ask(profile: "a", id: "q1", keys: ["google:c"], tokens: 10, now: 0))
        #expect(g.snapshot(now: 0).first?.tokens == -8)
        #expect(!g.ask(profile: "a", id: "q2", keys: ["google:c"], tokens: 1, now: 0))
        #expect(g.nextDue() == 9)
    }

    @Test func aRefusalHalvesTheRateHoldsTheKeyAndTheRateRecovers() throws {
        let g = Governor(Self.config)
        #expect(g.ask(profile: "a", id: "q1", keys: ["google:c"], tokens: 1, now: 0))
        g.refused(keys: ["google:c"], retryAfter: 3, now: 0)
        g.refused(keys: ["google:c"], retryAfter: nil, now: 0.2)  // the same burst: no second cut
        var b = try #require(g.snapshot(now: 0.2).first)
        #expect(b.rate >= 0.5 && b.rate < 0.51 && b.rateLimited == 2, "halved once, recovering")
        #expect(!g.ask(profile: "b", id: "q2", keys: ["google:c"], tokens: 1, now: 1))
        #expect(g.grantDue(now: 2.9).isEmpty, "Retry-After holds every profile of the key")
        #expect(g.grantDue(now: 3.1).map(\.id) == ["q2"])
        b = try #require(g.snapshot(now: 60).first)
        #expect(b.rate == 1, "additive recovery back to the configured rate")
    }

    @Test func aPerUserBucketShortLetsTheNextProfileGoFirst() {
        let config = QuotaConfig(rates: [
            "google": QuotaRate(perMinute: 600, burst: 10), "google_user": QuotaRate(perMinute: 60, burst: 1),
        ])
        let g = Governor(config)
        #expect(g.ask(profile: "a", id: "a1", keys: ["google:c", "google_user:c:a"], tokens: 1, now: 0))
        #expect(!g.ask(profile: "a", id: "a2", keys: ["google:c", "google_user:c:a"], tokens: 1, now: 0))
        #expect(!g.ask(profile: "b", id: "b1", keys: ["google:c", "google_user:c:b"], tokens: 1, now: 0))
        #expect(g.grantDue(now: 0.1).map(\.id) == ["b1"])
        #expect(g.grantDue(now: 1).map(\.id) == ["a2"])
    }

    /// A busy key at 60/min, burst 10, no lag: the burst goes at once, then one a second, and the
    /// 61st grant waits for the burst to leave the last 60 s; five minutes hold that pace.
    @Test func noMoreThanTheRateGoesInAnyMinuteBurstIncluded() {
        let g = Governor(QuotaConfig(rates: ["google": QuotaRate(perMinute: 60, burst: 10, lag: 0)]))
        let grants = Self.simulate(g, profiles: 1, until: 300, seed: 1, tokens: 1...1, gap: 0...0)
        let times = grants.map(\.time)
        #expect(times.prefix(10).allSatisfy { $0 == 0 } && times[10] == 1, "\(times.prefix(12))")
        #expect(times[59] == 50, "the minute's 60th at 50 s: \(times[59])")
        #expect(times[60] > 60.1 && times[60] < 60.11, "the 61st once the burst has left the window: \(times[60])")
        #expect(Self.mostInAMinute(grants) == 60)
        #expect(grants.count >= 295 && grants.count <= 300, "\(grants.count) in 300 s")
    }

    /// The same key with the default lag (5 s): the 61st grant waits for the burst to leave the
    /// last 65 s, so no 65 s carries more than the rate, and a request arriving up to 5 s after
    /// its grant still falls in a minute with room.
    @Test func theLagWidensTheMinuteCounted() {
        #expect(QuotaRate(perMinute: 60, burst: 10).lag == 5)
        let g = Governor(QuotaConfig(rates: ["google": QuotaRate(perMinute: 60, burst: 10)]))
        let grants = Self.simulate(g, profiles: 1, until: 300, seed: 1, tokens: 1...1, gap: 0...0)
        let times = grants.map(\.time)
        #expect(times[59] == 50 && times[60] > 65.1 && times[60] < 65.11, "\(times[58...61])")
        #expect(Self.mostInAMinute(grants, seconds: 65) == 60)
        // Shifting each grant by up to 5 s (its request's lag) keeps every 60 s within the rate.
        var rng = SeededRandom(state: 7)
        let arrivals = grants.map { (time: $0.time + Double.random(in: 0...5, using: &rng), tokens: $0.tokens) }
            .sorted { $0.time < $1.time }
        #expect(Self.mostInAMinute(arrivals) <= 60)
    }

    /// Seeded random keys (rate, burst, profiles, batch sizes, pauses between asks): no 60 s of
    /// grants carries more than the rate, no span more than the bucket lets through, and every
    /// ask is granted.
    @Test(arguments: 1...24) func randomKeysKeepTheirMinuteAndTheirBucket(seed: UInt64) throws {
        var rng = SeededRandom(state: seed)
        let perMinute = [30.0, 60, 100, 600, 1_000][Int(rng.next() % 5)]
        let burst = 1 + Int(rng.next() % 50)
        let lag = [0.0, 2, 5][Int(rng.next() % 3)]
        let g = Governor(QuotaConfig(rates: ["google": QuotaRate(perMinute: perMinute, burst: burst, lag: lag)]))
        let profiles = 1 + Int(rng.next() % 8)
        let pause = [0.0, 0.5, 3][Int(rng.next() % 3)]
        let grants = Self.simulate(
            g, profiles: profiles, until: 400, seed: rng.next(), tokens: 1...min(burst, 20), gap: 0...pause)
        let label = "\(perMinute)/min burst \(burst) lag \(lag) s, \(profiles) profiles, pauses to \(pause) s"
        #expect(Self.mostInAMinute(grants, seconds: 60 + lag) <= Int(perMinute), "\(label)")
        // The bucket: at most burst + rate × span over any span.
        for (i, a) in grants.enumerated() {
            var sum = 0
            for b in grants[i...] {
                sum += b.tokens
                #expect(
                    Double(sum) <= Double(burst) + perMinute / 60 * (b.time - a.time) + 1e-6,
                    "\(label): \(sum) tokens from \(a.time) s to \(b.time) s")
                if b.time - a.time > 5 { break }
            }
        }
        // Granted to the end: nobody was left waiting for good.
        #expect((grants.last?.time ?? 0) > 340, "\(label)")
    }

    /// The grants of `profiles` asking over and over (each a batch from `tokens`, `gap` seconds
    /// after its last grant) until `until`, on the governor's own timer.
    static func simulate(
        _ g: Governor, profiles: Int, until: Double, seed: UInt64, tokens: ClosedRange<Int>,
        gap: ClosedRange<Double>
    ) -> [(time: Double, tokens: Int)] {
        var rng = SeededRandom(state: seed)
        var nextAsk = [Double](repeating: 0, count: profiles)
        var asked: [String: Int] = [:]
        var out: [(time: Double, tokens: Int)] = []
        var n = 0
        for _ in 0..<1_000_000 {
            let now = min(nextAsk.min()!, g.nextDue() ?? .infinity)
            guard now <= until else { break }
            func granted(_ p: Int, _ size: Int) {
                out.append((now, size))
                nextAsk[p] = now + Double.random(in: gap, using: &rng)
            }
            for grant in g.grantDue(now: now) {
                let p = Int(grant.profile)!
                granted(p, asked.removeValue(forKey: grant.id)!)
            }
            for p in 0..<profiles where nextAsk[p] <= now {
                n += 1
                let size = Int.random(in: tokens, using: &rng)
                if g.ask(profile: "\(p)", id: "q\(n)", keys: ["google:c"], tokens: size, now: now) {
                    granted(p, size)
                } else {
                    asked["q\(n)"] = size
                    nextAsk[p] = .infinity
                }
            }
        }
        return out
    }

    /// The most tokens granted in any `seconds` starting at a grant.
    static func mostInAMinute(_ grants: [(time: Double, tokens: Int)], seconds: Double = 60) -> Int {
        var most = 0
        var sum = 0
        var j = 0
        for i in grants.indices {
            while j < grants.count && grants[j].time < grants[i].time + seconds {
                sum += grants[j].tokens
                j += 1
            }
            most = max(most, sum)
            sum -= grants[i].tokens
        }
        return most
    }

    @Test func aWorkerThatExitedWaitsNoMore() {
        let g = Governor(Self.config)
        _ = g.ask(profile: "a", id: "q1", keys: ["google:c"], tokens: 2, now: 0)
        _ = g.ask(profile: "a", id: "q2", keys: ["google:c"], tokens: 1, now: 0)
        g.drop(profile: "a")
        #expect(g.nextDue() == nil && g.grantDue(now: 10).isEmpty)
    }
}

/// A governor the `#expect` macro can call mutating methods on.
final class Governor {
    var g: QuotaGovernor
    init(_ config: QuotaConfig) { g = QuotaGovernor(config: config) }
    func ask(profile: String, id: String, keys: [String], tokens: Int, now: Double) -> Bool {
        g.ask(profile: profile, id: id, keys: keys, tokens: tokens, now: now)
    }
    func grantDue(now: Double) -> [QuotaGovernor.Grant] { g.grantDue(now: now) }
    func nextDue() -> Double? { g.nextDue() }
    func refused(keys: [String], retryAfter: Double?, now: Double) {
        g.refused(keys: keys, retryAfter: retryAfter, now: now)
    }
    func drop(profile: String) { g.drop(profile: profile) }
    func snapshot(now: Double) -> [QuotaBucket] { g.snapshot(now: now) }
}
