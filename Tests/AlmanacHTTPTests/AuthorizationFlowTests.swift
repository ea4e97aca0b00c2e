import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

@Suite("authorization code flow with a loopback redirect", .serialized, .timeLimit(.minutes(10)))
struct AuthorizationFlowTests {
    @Test func browserRedirectIsExchangedAndStored() throws {
        let server = try FakeServer(.google)
        server.auth.register(clientID: "c", secret: "secret-y")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-auth-\(UUID().uuidString)")
        let store = RefreshTokenStore(stateDirectory: dir, profile: "clinic", connection: "cal")
        let flow = AuthorizationCodeFlow(
            authorization: OAuthAuthorization(
                authorizeURL: "https://accounts.example.invalid/auth", tokenURL: server.tokenURL,
                clientID: "c", clientSecret: "secret-y", scope: "calendar",
                extraParameters: ["access_type": "offline"]),
            store: store, kind: "google", connection: "cal")
        let shown = LockedBox<String>()
        let done = LockedBox<String>()
        let t = Thread {
            do {
                try flow.runWithLoopback(timeout: 20) { shown.set($0) }
                done.set("ok")
            } catch {
                done.set("\(error)")
            }
        }
        t.start()
        while shown.get() == nil { Thread.sleep(forTimeInterval: 0.01) }
        let page = try #require(URLComponents(string: shown.get()!))
        let q = Dictionary(uniqueKeysWithValues: (page.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(q["access_type"] == "offline")
        #expect(q["response_type"] == "code")
        #expect(!(shown.get()!.contains("secret-y")))
        let redirect = try #require(q["redirect_uri"])
        #expect(redirect.hasPrefix("http://127.0.0.1:"))
        // The browser follows the redirect.
        let browser = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        let r = try browser.send(
            HTTPRequest(url: redirect + "?code=\(FakeAuth.authorizationCode)&state=\(q["state"]!)"))
        #expect(r.status == 200)
        while done.get() == nil { Thread.sleep(forTimeInterval: 0.01) }
        #expect(done.get() == "ok")
        let token = try #require(store.load())
        #expect(store.url.lastPathComponent == "clinic.cal.oauth.json")
        // The stored token refreshes.
        let source = OAuthTokenSource(
            client: OAuthClient(tokenURL: server.tokenURL, clientID: "c", clientSecret: "secret-y"),
            configuredRefreshToken: nil, store: store, kind: "google", connection: "cal",
            http: HTTPClient())
        _ = try source.token()
        #expect(store.load() == token)
    }
}

/// A value shared between a test and a thread it starts.
final class LockedBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.withLock { value = v } }
    func get() -> T? { lock.withLock { value } }
}
