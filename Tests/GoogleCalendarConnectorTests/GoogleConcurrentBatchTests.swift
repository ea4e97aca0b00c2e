import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

/// Writes of several batch requests in flight at once (4 here), each request made while the
/// ones before it are on the wire.
@Suite("google writes with several batch requests in flight", .serialized, .timeLimit(.minutes(10)))
struct GoogleConcurrentBatchTests {
    static let count = 500
    static let creates = (0..<count).map {
        Change.create(id: deterministicID($0), event: sampleEvent($0, base: testBase))
    }

    /// Checks that `outcomes` match the fake: every written create is stored once with the etag
    /// the outcome carries, and no failed one is stored. Returns the indexes that failed.
    static func check(_ outcomes: [WriteOutcome], against g: GoogleFake) -> [Int] {
        var failed: [Int] = []
        var written = 0
        for (n, outcome) in outcomes.enumerated() {
            switch outcome {
            case .written(let key, let version):
                written += 1
                #expect(key == deterministicID(n))
                #expect(g.event(key)?["etag"] as? String == version, "etag of create \(n)")
            case .failed(let retryable, _):
                #expect(retryable)
                #expect(g.event(deterministicID(n)) == nil, "failed create \(n) is on the calendar")
                failed.append(n)
            default:
                Issue.record("create \(n): \(outcome)")
            }
        }
        let ids = g.events().compactMap { $0["id"] as? String }
        #expect(ids.count == written)
        #expect(Set(ids).count == ids.count)
        return failed
    }

    /// Ten batch requests, four in flight, no retries: the one request answered 500 fails exactly
    /// its fifty calls; the other 450 are stored once. Sending those fifty again stores them.
    @Test func aFailedRequestAmongThoseInFlightFailsExactlyItsCalls() throws {
        let h = try GoogleHarness(maxConcurrent: 4, retry: RetryPolicy(maxAttempts: 1, baseDelay: 0.01))
        h.server.injectOnce(.internalError, pathPrefix: "/batch")
        let outcomes = try h.connector.write(Self.creates)
        let g = h.server.google!
        let failed = Self.check(outcomes, against: g)
        #expect(failed.count == 50)
        // The calls of one request: fifty in a row, starting at a multiple of the batch size.
        #expect(failed.first.map { $0 % 50 == 0 && failed == Array($0..<$0 + 50) } == true, "\(failed)")
        let batches = h.server.log.all.filter { $0.path == "/batch/calendar/v3" }
        #expect(batches.count == 10)
        #expect(batches.filter { $0.status == 500 }.count == 1)

        let again = try h.connector.write(failed.map { Self.creates[$0] })
        #expect(again.allSatisfy { if case .written = $0 { true } else { false } })
        #expect(g.events().count == Self.count)
    }

    /// Faults on requests and on inner calls, no retries: exactly the calls answered with a fault
    /// (their own, or their request's) fail.
    @Test func faultedCallsAmongRequestsInFlightAreTheOnesReported() throws {
        let h = try GoogleHarness(maxConcurrent: 4, retry: RetryPolicy(maxAttempts: 1, baseDelay: 0.01))
        let g = h.server.google!
        h.server.setFaults(FaultPolicy(rate: 0.1, kinds: [.internalError, .unavailable], seed: 5))
        let outcomes = try h.connector.write(Self.creates)
        let failed = Self.check(outcomes, against: g)
        let faulted = h.server.log.all.flatMap(\.parts).filter { $0.fault != nil }.count
        let requestFaults = h.server.log.all.filter { $0.fault != nil }
        #expect(faulted > 0)
        #expect(failed.count == faulted + requestFaults.reduce(0) { $0 + $1.batchParts })
        #expect(g.events().count == Self.count - failed.count)
    }

    /// With retries (requests and calls faulted, resets that drop an applied request's answer,
    /// Retry-After) and four requests in flight, every create lands once and the outcomes carry
    /// the calendar's etags.
    @Test func retriesWithRequestsInFlightNeitherDuplicateNorLose() throws {
        let h = try GoogleHarness()
        // The calls inside requests (and requests: resets, Retry-After, slow answers).
        h.server.setFaults(FaultPolicy(rate: 0.15, retryAfter: 1, slowDelay: 0.02, seed: 11))
        let settled = try writeUntilSettled(h.connector, Self.creates)
        let g = h.server.google!
        #expect(g.events().count == Self.count)
        for n in 0..<Self.count {
            guard case .written(let key, let version) = settled[deterministicID(n)] else {
                Issue.record("create \(n) not written: \(String(describing: settled[deterministicID(n)]))")
                continue
            }
            #expect(g.event(key)?["etag"] as? String == version, "etag of create \(n)")
        }
        #expect(h.server.log.all.flatMap(\.parts).contains { $0.fault != nil })
        #expect(h.connector.http.retries > 0)
    }
}
