import AlmanacCore
import AlmanacHTTP
import Foundation
import GoogleContactsConnector
import Logging
import Testing

@Suite("google_contacts: module", .timeLimit(.minutes(10)))
struct ContactsModuleTests {
    static func context(_ entries: [String: ConfigValue]) -> ConnectorContext {
        let dir = FileManager.default.temporaryDirectory
        return ConnectorContext(
            profile: "clinic", job: "clients", side: .to, connectionName: "phonebook", connection: ConfigTable(entries),
            jobSettings: ConfigTable(), timeZone: .gmt, stateDirectory: dir, profileDirectory: dir,
            logger: Logger(label: "test"), kind: .contacts, defaultRegion: "US")
    }

    @Test func authAsksForTheContactsScope() throws {
        let c = Self.context([
            "client_id": .string("id-1"), "client_secret": .string("s"),
            "token_url": .string("http://127.0.0.1:9/token"),
        ])
        let a = try #require(try GoogleContactsModule.oauthAuthorization(c))
        #expect(a.scope == "https://www.googleapis.com/auth/contacts")
        #expect(a.clientID == "id-1")
        #expect(a.tokenURL == "http://127.0.0.1:9/token")
        #expect(a.authorizeURL == "https://accounts.google.com/o/oauth2/v2/auth")
    }

    @Test func settingsDefaultsAndTheConnectorsKinds() throws {
        let c = Self.context([
            "client_id": .string("id-1"), "client_secret": .string("s"), "base_url": .string("http://x/"),
        ])
        let s = try GoogleContactsModule.settings(c)
        #expect(s.baseURL == "http://x")
        #expect(s.pageSize == 1000)
        #expect(s.client.tokenURL == "https://oauth2.googleapis.com/token")
        let connector = try GoogleContactsModule.make(c)
        #expect(connector.kinds == [.contacts])
        #expect(connector.contactFields == Set(ContactField.allCases))
        #expect(connector.capabilities == [.read, .write, .delete, .changeFeed])
    }

    /// A create whose answer was not seen may land for twice the connection's `timeout`; the
    /// engine hands over one `batchCreateContacts` call (200) at a time.
    @Test func aLateCreateIsGivenTwiceTheTimeoutToLand() throws {
        var entries: [String: ConfigValue] = ["client_id": .string("id-1"), "client_secret": .string("s")]
        #expect(
            try GoogleContactsModule.make(Self.context(entries)).lateCreates == LateCreates(window: 120, perCall: 200))
        entries["timeout"] = .string("45s")
        #expect(
            try GoogleContactsModule.make(Self.context(entries)).lateCreates == LateCreates(window: 90, perCall: 200))
    }

    @Test func noClientIsACredentialsError() {
        #expect {
            try GoogleContactsModule.settings(Self.context([:]))
        } throws: { ($0 as? AlmanacError)?.code == .googleCredentials }
    }
}
