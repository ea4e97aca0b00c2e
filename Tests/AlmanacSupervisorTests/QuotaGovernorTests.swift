import AlmanacCore
import Testing

@testable import AlmanacSupervisor

/// The governor's buckets, queue and AIMD on a clock the test moves (README "Quota governor").
@Suite(.timeLimit(.minutes(5)))
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
