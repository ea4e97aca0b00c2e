import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

@testable import CronofyConnector

/// Retries live in one layer, the HTTP client, with one policy: a call is attempted exactly
/// `maxAttempts` times in all, whether its request failed or only its entry inside a batch, and
/// a `Retry-After` is waited for. Counted on the fake's request log.
@Suite("cronofy: one retry layer", .serialized, .timeLimit(.minutes(10)))
struct CronofyRetryCountTests {
    static let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05)

    /// The GET requests sent: a read first lists the account's calendars (`/v1/calendars`),
    /// which is the call that fails here.
    func listings(_ h: CronofyHarness) -> [LoggedRequest] {
        let sent = h.server.log.all.filter { $0.method == "GET" }
        #expect(Set(sent.map(\.path)) == ["/v1/calendars"])
        return sent
    }

    @Test func a429WithRetryAfterIsAttemptedMaxAttemptsTimesEachAfterTheWait() throws {
        let h = try CronofyHarness(
            faults: FaultPolicy(rate: 1, kinds: [.tooManyRequests], retryAfter: 1), retry: Self.policy)
        #expect(throws: AlmanacError.self) { _ = try h.readAll(window: window) }
        let sent = listings(h)
        #expect(sent.count == 3, "\(sent.map(\.target))")
        #expect(sent.allSatisfy { $0.status == 429 && $0.retryAfter == 1 })
        for (a, b) in zip(sent, sent.dropFirst()) { #expect(b.time.timeIntervalSince(a.time) >= 1) }
    }

    @Test func a5xxIsAttemptedMaxAttemptsTimes() throws {
        let h = try CronofyHarness(faults: FaultPolicy(rate: 1, kinds: [.internalError]), retry: Self.policy)
        #expect(throws: AlmanacError.self) { _ = try h.readAll(window: window) }
        #expect(listings(h).map(\.status) == [500, 500, 500])
    }

    /// The batch request fails once (503), then every entry inside it answers 429: each entry is
    /// attempted 3 times in all (the failed request counts), not 3 by the connector times 3 by
    /// the client.
    @Test func anEntryInABatchIsAttemptedMaxAttemptsTimesInAll() throws {
        let h = try CronofyHarness(retry: Self.policy)
        let admin = try HTTPClient().send(
            HTTPRequest(method: "POST", url: h.server.baseURL + "/_fake/faults?rate=1&kinds=429&scope=parts"))
        #expect(admin.status == 200)
        h.server.injectOnce(.unavailable, pathPrefix: "/v1/batch")
        let outcomes = try h.connector.write((0..<2).map { Change.create(id: eventID($0), event: sample($0)) })
        for o in outcomes {
            guard case .failed(true, let reason) = o else {
                Issue.record("expected a retryable failure, got \(o)")
                continue
            }
            #expect(reason == "Cronofy answered 429")
        }
        let batches = h.server.log.all.filter { $0.path == "/v1/batch" }
        #expect(batches.map(\.status) == [503, 207, 207])
        #expect(batches.dropFirst().allSatisfy { $0.parts.map(\.status) == [429, 429] })
    }
}
