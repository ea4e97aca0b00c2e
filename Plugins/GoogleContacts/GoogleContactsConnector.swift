import AlmanacCore
import AlmanacHTTP
import Foundation
import Logging

/// What a google_contacts connector instance needs, resolved from the profile.
public struct GoogleContactsSettings: Sendable {
    public var baseURL: String
    public var client: OAuthClient
    public var refreshToken: String?
    /// Contacts per listing page (1…1000).
    public var pageSize: Int
    public var requestBudget: Int?
    public var transport: TransportOptions
    public var retry: RetryPolicy

    public init(
        baseURL: String, client: OAuthClient, refreshToken: String?, pageSize: Int = 1000, requestBudget: Int? = nil,
        transport: TransportOptions = TransportOptions(), retry: RetryPolicy = .standard
    ) {
        self.baseURL = baseURL
        self.client = client
        self.refreshToken = refreshToken
        self.pageSize = pageSize
        self.requestBudget = requestBudget
        self.transport = transport
        self.retry = retry
    }
}

/// The Google People API v1 connector for contacts: `people.connections.list` in full then by
/// `syncToken` (an expired token → a full listing), writes through `batchCreateContacts`,
/// `batchUpdateContacts` (with etags) and `batchDeleteContacts`, user contact groups as
/// `Contact.groups`, the origin stamp in `clientData`. See README.md beside this file.
public final class GoogleContactsConnector: Connector {
    public let capabilities: ConnectorCapabilities = [.read, .write, .delete, .changeFeed]
    public let kinds: Set<ItemKind> = [.contacts]
    /// Every contact field round-trips; README "What maps to what" says how (one address, one
    /// organisation, a display name equal to "given family" reads back as none).
    public let contactShape = ContactShape.full
    /// The People API picks resource names, so a create is found again only by its stamp: one
    /// sent without an answer seen is given twice the request timeout to land, and the engine
    /// hands over one `batchCreateContacts` call's worth at a time (README "A create still on its way").
    public var lateCreates: LateCreates? {
        LateCreates(window: 2 * settings.transport.timeout, perCall: Self.writeLimit)
    }
    let settings: GoogleContactsSettings
    let api: AuthorizedClient
    let logger: Logger
    let connection: String
    let defaultRegion: String?
    /// The account's contact groups, listed once and again when an unknown one shows up.
    var groups: GroupDirectory?
    /// Origin stamp → resource name of every stamped contact, when known (a full listing or a
    /// listing made for creates); kept up to date by this instance's reads and writes, dropped
    /// when a create's answer is lost.
    var originIndex: [String: String]?
    /// The index a full listing in progress is building.
    var listingIndex: [String: String] = [:]

    /// The `clientData` key of the origin stamp.
    public static let originKey = "almanac-origin"
    /// What a listing reads of each contact.
    static let personFields =
        "names,emailAddresses,phoneNumbers,organizations,addresses,birthdays,biographies,memberships,clientData,"
        + "userDefined,metadata"
    /// The People API's limits per call.
    static let writeLimit = 200
    static let deleteLimit = 500
    static let getLimit = 200
    static let modifyLimit = 1000

    public init(
        settings: GoogleContactsSettings, stateDirectory: URL, profile: String? = nil, connection: String,
        defaultRegion: String?, logger: Logger
    ) {
        self.settings = settings
        self.logger = logger
        self.connection = connection
        self.defaultRegion = defaultRegion
        api = AuthorizedClient(
            kind: GoogleContactsModule.kind, connection: connection, profile: profile, stateDirectory: stateDirectory,
            client: settings.client, refreshToken: settings.refreshToken, transport: settings.transport,
            retry: settings.retry, requestBudget: settings.requestBudget, logger: logger)
    }

    /// The HTTP client (counters for tests).
    public var http: HTTPClient { api.http }

    /// `url` under `/v1/` with `query`.
    func url(_ path: String, _ query: [(String, String)] = []) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let q = query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return settings.baseURL + "/v1/" + path + (q.isEmpty ? "" : "?" + q.joined(separator: "&"))
    }

    /// `error.message` of a People API error body.
    static func message(_ r: HTTPResponse) -> String {
        ((r.jsonObject?["error"] as? [String: Any])?["message"] as? String) ?? "HTTP \(r.status)"
    }

    /// `error.status` (`FAILED_PRECONDITION`, `NOT_FOUND`, …) of a People API error body.
    static func status(_ r: HTTPResponse) -> String? {
        (r.jsonObject?["error"] as? [String: Any])?["status"] as? String
    }

    /// The `ErrorInfo` reasons of a People API error body (`EXPIRED_SYNC_TOKEN`).
    static func reasons(_ r: HTTPResponse) -> [String] {
        let details = (r.jsonObject?["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
        return details.compactMap { $0["reason"] as? String }
    }

    /// An error for an unexpected answer, naming the connection.
    func failure(_ r: HTTPResponse, doing what: String) -> AlmanacError {
        if r.status == 401 || r.status == 403 {
            return AlmanacError(
                .googleForbidden,
                "connection \"\(connection)\": Google refused \(what) (\(r.status): \(Self.message(r))); check that the account was authorized with the contacts scope (`almanac auth google_contacts`)"
            )
        }
        return AlmanacError(
            .googleRequestFailed,
            "connection \"\(connection)\": \(what) failed with \(r.status): \(Self.message(r))",
            retryable: AlmanacHTTPError.isTransient(status: r.status))
    }

    /// Sends one request and returns its JSON object; a non-2xx answer throws `failure`.
    func json(_ request: HTTPRequest, doing what: String) throws -> [String: Any] {
        let r = try api.send(request)
        guard r.isSuccess else { throw failure(r, doing: what) }
        guard let object = r.jsonObject else {
            throw AlmanacHTTPError.badBody(expected: "JSON object", status: r.status)
        }
        return object
    }

    public func testConnection() -> ConnectionReport {
        let authorize = api.authorizationStep()
        guard authorize.ok else { return ConnectionReport(steps: [authorize]) }
        var steps = [authorize]
        let checks: [(String, String, String)] = [
            (
                "contacts", url("people/me/connections", [("personFields", "names"), ("pageSize", "1")]),
                "listing contacts"
            ),
            ("groups", url("contactGroups", [("pageSize", "1")]), "listing contact groups"),
        ]
        for (name, target, what) in checks {
            do {
                let r = try api.send(HTTPRequest(url: target))
                steps.append(
                    r.isSuccess
                        ? .init(name: name, ok: true, detail: "\(what) works")
                        : .init(name: name, ok: false, detail: failure(r, doing: what).message))
            } catch {
                steps.append(.init(name: name, ok: false, detail: "\(error)"))
                break
            }
        }
        return ConnectionReport(steps: steps)
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) }
    }
}
