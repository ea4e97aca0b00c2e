import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

@testable import GoogleCalendarConnector

/// Retries live in one layer, the HTTP client, with one policy: a call is attempted exactly
/// `maxAttempts` times in all, whether its request failed or only its answer inside a batch,
/// and a `Retry-After` is waited for. Counted on the fake's request log.
@Suite("google: one retry layer", .serialized, .timeLimit(.minutes(10)))
struct GoogleRetryCountTests {
    static let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05)

    /// Sets fault injection for the inner calls of batches only (the fake's admin endpoint).
    static func partFaults(_ server: FakeServer, _ kinds: String) throws {
        let r = try HTTPClient().send(
            HTTPRequest(method: "POST", url: server.baseURL + "/_fake/faults?rate=1&kinds=\(kinds)&scope=parts"))
        #expect(r.status == 200)
    }

    func listings(_ h: GoogleHarness) -> [LoggedRequest] {
        h.server.log.all.filter { $0.method == "GET" && $0.path.hasSuffix("/events") }
    }

    @Test func a429WithRetryAfterIsAttemptedMaxAttemptsTimesEachAfterTheWait() throws {
        let h = try GoogleHarness(
            faults: FaultPolicy(rate: 1, kinds: [.tooManyRequests], retryAfter: 1), retry: Self.policy)
        #expect(throws: AlmanacError.self) { _ = try h.readAll(window: testWindow) }
        let sent = listings(h)
        #expect(sent.count == 3, "\(sent.map(\.target))")
        #expect(sent.allSatisfy { $0.status == 429 && $0.retryAfter == 1 })
        for (a, b) in zip(sent, sent.dropFirst()) { #expect(b.time.timeIntervalSince(a.time) >= 1) }
        #expect(h.connector.http.retries == 2 && h.connector.http.retryAfterWaits == 2)
    }

    @Test func a5xxIsAttemptedMaxAttemptsTimes() throws {
        let h = try GoogleHarness(faults: FaultPolicy(rate: 1, kinds: [.unavailable]), retry: Self.policy)
        #expect(throws: AlmanacError.self) { _ = try h.readAll(window: testWindow) }
        #expect(listings(h).map(\.status) == [503, 503, 503])
    }

    /// The batch request fails once (503), then every call inside it answers 503: each call is
    /// attempted 3 times in all (the failed request counts), not 3 by the connector times 3 by
    /// the client.
    @Test func aCallInABatchIsAttemptedMaxAttemptsTimesInAll() throws {
        let h = try GoogleHarness(retry: Self.policy)
        try Self.partFaults(h.server, "503")
        h.server.injectOnce(.unavailable, pathPrefix: "/batch")
        let changes = (0..<2).map { Change.create(id: deterministicID($0), event: sampleEvent($0, base: testBase)) }
        let outcomes = try h.connector.write(changes)
        for o in outcomes {
            guard case .failed(true, let reason) = o else {
                Issue.record("expected a retryable failure, got \(o)")
                continue
            }
            #expect(reason.hasPrefix("Google answered 503"), "\(reason)")
        }
        let batches = h.server.log.all.filter { $0.path.hasPrefix("/batch") }
        #expect(batches.map(\.status) == [503, 200, 200])
        #expect(batches.dropFirst().allSatisfy { $0.parts.map(\.status) == [503, 503] })
        #expect(h.server.google!.events().isEmpty)
    }
}
