import AlmanacHTTP
import FakeCalendars
import Foundation

/// A Google fake with a signed-in client, for the People API tests: plain HTTP calls.
struct PeopleFakeSession {
    let server: FakeServer
    let http = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
    let auth: [String: String]

    var people: PeopleFake { server.people! }

    init() throws {
        server = try FakeServer(.google)
        let rt = server.auth.register(clientID: "c", secret: "x")
        let body = Data("client_id=c&client_secret=x&grant_type=refresh_token&refresh_token=\(rt)".utf8)
        let token = try http.send(
            HTTPRequest(
                method: "POST", url: server.tokenURL,
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body))
        auth = ["Authorization": "Bearer \(token.jsonObject?["access_token"] as? String ?? "")"]
    }

    struct Answer {
        var status: Int
        var json: [String: Any]
        var headers: [String: String]

        /// `error.status` of an error envelope.
        var errorStatus: String? { (json["error"] as? [String: Any])?["status"] as? String }
        var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
        /// `reason` of the `google.rpc.ErrorInfo` detail.
        var errorReason: String? {
            ((json["error"] as? [String: Any])?["details"] as? [[String: Any]])?.first?["reason"] as? String
        }
    }

    /// `method` on `/v1/` + `path` (a query already encoded), with `body` as JSON.
    func call(_ method: String, _ path: String, _ body: Any? = nil, authorized: Bool = true) throws -> Answer {
        let url = server.baseURL + "/v1/" + path
        let headers = authorized ? auth : [:]
        let request =
            try body.map { try HTTPRequest.json(method, url, $0, headers: headers) }
            ?? HTTPRequest(method: method, url: url, headers: headers)
        let r = try http.send(request)
        return Answer(status: r.status, json: r.jsonObject ?? [:], headers: r.headers)
    }

    func get(_ path: String) throws -> Answer { try call("GET", path) }

    /// Creates a contact through the API; returns the person.
    func create(_ person: [String: Any], fields: String = "names,emailAddresses,phoneNumbers,memberships") throws
        -> [String: Any]
    {
        try call("POST", "people:createContact?personFields=\(fields)", person).json
    }

    /// Every connection, page by page; returns the items, the pages' sizes, the last page, and
    /// how many pages before the last carried a sync token (none should).
    func listAll(_ query: String) throws -> (items: [[String: Any]], pages: [Int], last: Answer, earlyTokens: Int) {
        var items: [[String: Any]] = []
        var pages: [Int] = []
        var earlyTokens = 0
        var page = try get("people/me/connections?\(query)")
        while true {
            let slice = page.json["connections"] as? [[String: Any]] ?? []
            items += slice
            pages.append(slice.count)
            guard let next = page.json["nextPageToken"] as? String else { break }
            if page.json["nextSyncToken"] != nil { earlyTokens += 1 }
            page = try get("people/me/connections?\(query)&pageToken=\(PeopleFakeSession.encode(next))")
        }
        return (items, pages, page, earlyTokens)
    }

    static func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }

    static func name(_ person: [String: Any]) -> String? {
        (person["names"] as? [[String: Any]])?.first?["givenName"] as? String
    }

    static func resourceName(_ person: [String: Any]) -> String { person["resourceName"] as? String ?? "" }
}
