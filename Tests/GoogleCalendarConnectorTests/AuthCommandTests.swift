import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// `almanac auth google` run as a process against the fake Google: the built binary, a profile on
/// disk, a code passed with --code (the path used on machines without a browser).
@Suite("almanac auth against the fake Google", .serialized, .timeLimit(.minutes(10)))
struct AuthCommandTests {
    @Test func authStoresTheRefreshTokenWhereTheConnectorFindsIt() throws {
        guard BuiltAlmanac.isPresent else {
            if requireServices { Issue.record("almanac binary missing at \(BuiltAlmanac.path)") }
            return
        }
        let server = try FakeServer(.google)
        server.auth.register(clientID: "demo-client", secret: "auth-test-secret")
        let run = try AuthCommandRun(
            label: "authcmd", secret: "auth-test-secret",
            connection: """
                [connections.cal]
                connector          = "google"
                calendar_id        = "primary"
                base_url           = "\(server.baseURL)"
                token_url          = "\(server.tokenURL)"
                client_id          = "demo-client"
                client_secret_file = "secret"
                """)
        let (status, text) = try run.auth("google", connection: "cal", code: FakeAuth.authorizationCode)
        #expect(status == 0, "\(text)")
        #expect(text.contains("is authorized"))
        #expect(!text.contains("auth-test-secret"))
        let store = RefreshTokenStore(stateDirectory: run.state, profile: "clinic", connection: "cal")
        let token = try #require(store.load())
        #expect(!text.contains(token))

        // A wrong code fails with exit 1 and says what to do.
        let (wrong, message) = try run.auth("google", connection: "cal", code: "wrong")
        #expect(wrong == 1)
        #expect(message.contains("the authorization code was not accepted"))
    }
}
