import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Logging

/// A fake Google (People API) on 127.0.0.1 and google_contacts connectors pointed at it.
struct ContactsHarness {
    let server: FakeServer
    let stateDirectory: URL
    let refreshToken: String
    let pageSize: Int

    var people: PeopleFake { server.people! }

    init(pageSize: Int = 1000) throws {
        server = try FakeServer(.google)
        refreshToken = server.auth.register(clientID: "contacts-client", secret: "contacts-secret")
        stateDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-gcontacts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        self.pageSize = pageSize
    }

    /// A new connector instance (a new run, or the run after a crash: nothing kept in memory).
    func connector(
        retry: RetryPolicy = RetryPolicy(maxAttempts: 6, baseDelay: 0.02, maxDelay: 0.2),
        logger: Logger = Logger(label: "test")
    ) -> GoogleContactsConnector {
        let settings = GoogleContactsSettings(
            baseURL: server.baseURL,
            client: OAuthClient(
                tokenURL: server.tokenURL, clientID: "contacts-client", clientSecret: "contacts-secret"),
            refreshToken: refreshToken, pageSize: pageSize, retry: retry)
        return GoogleContactsConnector(
            settings: settings, stateDirectory: stateDirectory, connection: "phonebook", defaultRegion: "US",
            logger: logger)
    }

    /// The API calls to `path` in the request log.
    func calls(_ method: String, _ path: String) -> [LoggedRequest] {
        server.log.all.filter { $0.method == method && $0.path == path }
    }
}

let contactsWindow = TimeWindow(
    start: Date(timeIntervalSince1970: 1_700_000_000), end: Date(timeIntervalSince1970: 1_900_000_000))

/// Every page of a listing (delta when `cursor` is given).
func listAll(_ c: GoogleContactsConnector, cursor: String? = nil) throws -> ReadListing {
    try c.readListing(ReadRequest(window: contactsWindow, cursor: cursor))
}

/// Client `n` as the database holds it.
func client(_ n: Int, groups: [String] = []) -> Contact {
    Contact(
        givenName: "Given\(n)", familyName: "Family\(n)", organization: "Org \(n % 3)", jobTitle: "Title",
        emails: [ContactEmail("client\(n)@example.com", kind: .work)],
        phones: [ContactPhone("+1415555\(String(format: "%04d", n % 10_000))", kind: .mobile)],
        address: PostalAddress(
            street: "\(n) Main St", city: "Springfield", region: "IL", postalCode: "62701", country: "US"),
        birthday: CivilDate(year: 1980, month: 1 + n % 12, day: 1 + n % 28), notes: "client \(n)", groups: groups,
        custom: ["balance": "\(n).00"])
}

func stampID(_ n: Int) -> String { SHA256.hex("clinic/clients/\(n)") }

func createChange(_ n: Int, groups: [String] = []) -> Change {
    .create(id: stampID(n), event: client(n, groups: groups).envelope())
}

/// The contact of an item, for comparisons: `updated` is Google's, not the client's.
func content(_ item: SourceItem) -> Contact? {
    var c = item.event.contact
    c?.updated = nil
    return c
}

/// The `clientData` origin stamp of a fake contact.
func stamp(of person: [String: Any]) -> String? {
    (person["clientData"] as? [[String: Any]] ?? []).first { $0["key"] as? String == "almanac-origin" }?["value"]
        as? String
}

/// Group names (user groups) of a fake contact, through the fake's group table.
func groupNames(of person: [String: Any], in groups: [String: String]) -> [String] {
    let byResource = Dictionary(uniqueKeysWithValues: groups.map { ($0.value, $0.key) })
    return (person["memberships"] as? [[String: Any]] ?? []).compactMap {
        (($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String)
            .flatMap { byResource[$0] }
    }.sorted()
}
