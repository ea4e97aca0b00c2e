import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// Requests that must not be applied twice (`HTTPRequest.isReplayable == false`): retried only
/// after a 429 or a transfer that never reached the server, never after a 5xx or a connection
/// reset once the request was sent, and never resent by libcurl on a reused connection.
@Suite("HTTP client: requests that are not replayed", .serialized, .timeLimit(.minutes(10)))
struct ReplayTests {
    static func client() -> HTTPClient {
        HTTPClient(retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.02))
    }

    /// A GET first, so that the POST could go out on a reused keep-alive connection.
    static func warm(_ http: HTTPClient, _ server: FakeServer) throws {
        _ = try http.send(HTTPRequest(url: server.baseURL + "/_fake/people/groups"))
    }

    @Test(arguments: [FaultKind.internalError, .unavailable, .reset])
    func aFailureAfterSendingIsNotRetried(kind: FaultKind) throws {
        let server = try FakeServer(.google)
        let http = Self.client()
        try Self.warm(http, server)
        server.injectOnce(kind, pathPrefix: "/v1/people:batchCreateContacts")
        var request = try HTTPRequest.json("POST", server.baseURL + "/v1/people:batchCreateContacts", ["contacts": []])
        request.isReplayable = false
        let result = try http.sendAll([request])[0]
        switch (kind, result) {
        case (.reset, .failure): break
        case (.internalError, .success(let r)): #expect(r.status == 500)
        case (.unavailable, .success(let r)): #expect(r.status == 503)
        default: Issue.record("unexpected result \(result)")
        }
        #expect(server.log.all.filter { $0.path == "/v1/people:batchCreateContacts" }.count == 1)
        #expect(http.retries == 0)
    }

    @Test func aTooManyRequestsIsRetried() throws {
        let server = try FakeServer(.google)
        let http = Self.client()
        server.injectOnce(.tooManyRequests, pathPrefix: "/v1/people:batchCreateContacts")
        var request = try HTTPRequest.json("POST", server.baseURL + "/v1/people:batchCreateContacts", ["contacts": []])
        request.isReplayable = false
        _ = try http.sendAll([request])[0].get()
        let calls = server.log.all.filter { $0.path == "/v1/people:batchCreateContacts" }
        #expect(calls.map(\.status) == [429, 401])
        #expect(http.retries == 1)
    }

    @Test func aReplayableRequestIsRetriedAfterA500() throws {
        let server = try FakeServer(.google)
        let http = Self.client()
        server.injectOnce(.internalError, pathPrefix: "/v1/people:batchCreateContacts")
        let request = try HTTPRequest.json("POST", server.baseURL + "/v1/people:batchCreateContacts", ["contacts": []])
        _ = try http.sendAll([request])[0].get()
        #expect(server.log.all.filter { $0.path == "/v1/people:batchCreateContacts" }.map(\.status) == [500, 401])
    }
}
