import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import Glibc
import Testing

@Suite("HTTP client and OAuth against the fakes on loopback", .serialized, .timeLimit(.minutes(10)))
struct HTTPClientTests {
    func tokenSource(_ server: FakeServer, dir: URL, refresh: String, http: HTTPClient) -> OAuthTokenSource {
        OAuthTokenSource(
            client: OAuthClient(tokenURL: server.tokenURL, clientID: "c", clientSecret: "secret-x"),
            configuredRefreshToken: refresh, store: RefreshTokenStore(stateDirectory: dir, connection: "cal"),
            kind: "google", connection: "cal", http: http)
    }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func retryAfterIsHonouredAndRetriesConverge() throws {
        let server = try FakeServer(.google, faults: FaultPolicy(rate: 1, kinds: [.tooManyRequests], retryAfter: 1))
        let refresh = server.auth.register(clientID: "c", secret: "secret-x")
        let http = HTTPClient(retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05))
        let tokens = tokenSource(server, dir: try tempDir(), refresh: refresh, http: http)
        let api = AuthorizedClient(http: http, tokens: tokens)
        // Every API call gets 429 + Retry-After: 1 until faults are switched off after the first.
        let url = server.baseURL + "/calendar/v3/calendars/primary/events"
        let started = Date()
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.2); server.setFaults(.none)
        }
        thread.start()
        let r = try api.send(HTTPRequest(url: url))
        #expect(r.status == 200)
        #expect(Date().timeIntervalSince(started) >= 1.0)
        let calls = server.log.all.filter { !$0.target.hasPrefix("/token") }
        #expect(calls.count == 2)
        #expect(calls[0].status == 429 && calls[0].retryAfter == 1)
        #expect(calls[1].time.timeIntervalSince(calls[0].time) >= 1.0)
    }

    @Test func transportFailureIsAnErrorNamingTheHost() throws {
        let http = HTTPClient(retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02))
        // A port bound but not listening: connections are refused, and no test running alongside
        // can take the port meanwhile (a port freed again could be handed to another server).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let result = try http.sendAll([HTTPRequest(url: "http://127.0.0.1:\(port)/x")])[0]
        guard case .failure(let e) = result else { Issue.record("expected failure"); return }
        #expect(e.code.rawValue == "http.transport")
        #expect(e.message.contains("127.0.0.1"))
        #expect(http.requestsSent == 2)
    }

    @Test func requestBudgetStopsARun() throws {
        let server = try FakeServer(.google)
        let http = HTTPClient(budget: RequestBudget(limit: 3))
        _ = try http.sendAll((0..<3).map { _ in HTTPRequest(url: server.baseURL + "/x") })
        #expect(throws: AlmanacError.self) { try http.send(HTTPRequest(url: server.baseURL + "/x")) }
        #expect(server.log.count == 3)
    }

    @Test func concurrentRequestsAllComplete() throws {
        let server = try FakeServer(.google)
        let http = HTTPClient(options: TransportOptions(maxConcurrent: 4))
        let results = try http.sendAll((0..<40).map { _ in HTTPRequest(url: server.baseURL + "/token", body: Data()) })
        #expect(results.count == 40)
        #expect(results.allSatisfy { (try? $0.get())?.status == 401 })
        #expect(server.log.count == 40)
        // Keep-alive: 40 requests, 4 at a time, over at most 4 connections.
        #expect(http.transport.connectionsOpened <= 4)
        #expect(http.transport.connectionsOpened >= 1)
    }

    @Test func rotatedRefreshTokenIsPersistedAndInvalidGrantMeansReconnect() throws {
        let server = try FakeServer(.cronofy)
        server.auth.rotateRefreshTokens = true
        let first = server.auth.register(clientID: "c", secret: "secret-x")
        let dir = try tempDir()
        let http = HTTPClient()
        let tokens = tokenSource(server, dir: dir, refresh: first, http: http)
        _ = try tokens.token()
        let stored = RefreshTokenStore(stateDirectory: dir, connection: "cal").load()
        #expect(stored != nil && stored != first)
        let attrs = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("cal.oauth.json").path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        // A new source (next run) starts from the stored token, not the configured one.
        let next = tokenSource(server, dir: dir, refresh: first, http: http)
        _ = try next.refresh()
        #expect(next.refreshes == 1)
        // Revoked: invalid_grant → reconnect required, advice names `almanac auth`.
        server.auth.revoke(refreshToken: RefreshTokenStore(stateDirectory: dir, connection: "cal").load()!)
        do {
            _ = try next.refresh()
            Issue.record("expected invalid_grant")
        } catch let e as AlmanacError {
            #expect(e.code.rawValue == "oauth.reconnect_required")
            #expect(e.message.contains("reconnect required"))
            #expect(e.message.contains("almanac auth google --connection cal"))
            #expect(!e.message.contains("secret-x"))
        }
        #expect(next.reconnectRequired)
    }

    @Test func accessTokenIsRefreshedAheadOfExpiry() throws {
        let server = try FakeServer(.google)
        server.auth.accessTokenLifetime = 200  // shorter than the 300 s margin: every call refreshes
        let refresh = server.auth.register(clientID: "c", secret: "secret-x")
        let tokens = tokenSource(server, dir: try tempDir(), refresh: refresh, http: HTTPClient())
        let a = try tokens.token()
        let b = try tokens.token()
        #expect(a != b)
        #expect(tokens.refreshes == 2)
        server.auth.accessTokenLifetime = 3600
        let c = try tokens.token()
        #expect(try tokens.token() == c)
    }

    @Test func multipartBatchRoundTrip() throws {
        let server = try FakeServer(.google)
        let refresh = server.auth.register(clientID: "c", secret: "secret-x")
        let http = HTTPClient()
        let api = AuthorizedClient(
            http: http, tokens: tokenSource(server, dir: try tempDir(), refresh: refresh, http: http))
        let path = "/calendar/v3/calendars/primary/events"
        let body = Data(
            #"{"id":"abcdef123","summary":"s","start":{"date":"2027-01-01"},"end":{"date":"2027-01-02"}}"#.utf8)
        let calls = [
            MultipartBatch.Call(method: "POST", path: path, body: body),
            MultipartBatch.Call(method: "POST", path: path, body: body),
            MultipartBatch.Call(method: "GET", path: path + "/nope12345"),
        ]
        let outer = try api.send(MultipartBatch.request(url: server.baseURL + "/batch/calendar/v3", calls: calls))
        let inner = MultipartBatch.responses(outer, count: 3)
        #expect(inner.map { $0?.status } == [200, 409, 404])
        #expect(inner[0]?.jsonObject?["id"] as? String == "abcdef123")
    }
}
