import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// `almanac auth google_contacts` run as a process against the fake Google: the built binary, a
/// profile on disk, a code passed with --code.
@Suite("almanac auth google_contacts against the fake Google", .serialized, .timeLimit(.minutes(10)))
struct ContactsAuthCommandTests {
    @Test func authStoresTheRefreshTokenOfAContactsConnection() throws {
        guard BuiltAlmanac.isPresent else {
            if ProcessInfo.processInfo.environment["ALMANAC_REQUIRE_SERVICES"] == "1" {
                Issue.record("almanac binary missing at \(BuiltAlmanac.path)")
            }
            return
        }
        let server = try FakeServer(.google)
        server.auth.register(clientID: "contacts-client", secret: "contacts-auth-secret")
        let run = try AuthCommandRun(
            label: "gcauth", secret: "contacts-auth-secret",
            connection: """
                [connections.phonebook]
                connector          = "google_contacts"
                base_url           = "\(server.baseURL)"
                token_url          = "\(server.tokenURL)"
                client_id          = "contacts-client"
                client_secret_file = "secret"
                """)
        let (status, text) = try run.auth("google_contacts", connection: "phonebook", code: FakeAuth.authorizationCode)
        #expect(status == 0, "\(text)")
        #expect(text.contains("connection \"phonebook\" of profile clinic is authorized"))
        #expect(!text.contains("contacts-auth-secret"))
        let store = RefreshTokenStore(stateDirectory: run.state, profile: "clinic", connection: "phonebook")
        let token = try #require(store.load())
        #expect(!text.contains(token))

        // The kind must be the connection's.
        let (wrong, message) = try run.auth("google", connection: "phonebook", code: FakeAuth.authorizationCode)
        #expect(wrong == 64)
        #expect(message.contains("connection \"phonebook\" uses connector \"google_contacts\", not \"google\""))
    }
}
