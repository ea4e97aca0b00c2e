import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// The fakes' own contract, checked with plain HTTP calls.
@Suite("fake servers behave like the services", .serialized, .timeLimit(.minutes(10)))
struct FakeSemanticsTests {
    func session(_ service: FakeService) throws -> (FakeServer, HTTPClient, [String: String]) {
        let server = try FakeServer(service)
        let rt = server.auth.register(clientID: "c", secret: "x")
        let http = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        let body = Data("client_id=c&client_secret=x&grant_type=refresh_token&refresh_token=\(rt)".utf8)
        let token = try http.send(
            HTTPRequest(
                method: "POST", url: server.tokenURL,
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body))
        let access = token.jsonObject?["access_token"] as? String ?? ""
        return (server, http, ["Authorization": "Bearer \(access)"])
    }

    @Test func googleSyncTokenRules() throws {
        let (server, http, auth) = try session(.google)
        let base = server.baseURL + "/calendar/v3/calendars/primary/events"
        server.google!.seed([
            "id": "aaaaa1", "summary": "a", "start": ["date": "2027-01-01"], "end": ["date": "2027-01-02"],
        ])
        var r = try http.send(HTTPRequest(url: base, headers: auth))
        // First page is never the last: nextSyncToken only on the last (empty) page.
        #expect(r.jsonObject?["nextSyncToken"] == nil)
        var pageToken = r.jsonObject?["nextPageToken"] as? String
        var sync: String?
        while let p = pageToken {
            r = try http.send(HTTPRequest(url: base + "?pageToken=\(p)", headers: auth))
            pageToken = r.jsonObject?["nextPageToken"] as? String
            sync = r.jsonObject?["nextSyncToken"] as? String
            if pageToken != nil { #expect(sync == nil) }
        }
        let token = try #require(sync)
        let enc = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        r = try http.send(HTTPRequest(url: base + "?syncToken=\(enc)&timeMin=2027-01-01T00:00:00Z", headers: auth))
        #expect(r.status == 400)
        server.google!.userDelete("aaaaa1")
        r = try http.send(HTTPRequest(url: base + "?syncToken=\(enc)", headers: auth))
        let items = r.jsonObject?["items"] as? [[String: Any]] ?? []
        #expect(items.count == 1)
        #expect(items.first?["status"] as? String == "cancelled")
        #expect(items.first?["summary"] == nil)
        server.google!.expireSyncTokens()
        r = try http.send(HTTPRequest(url: base + "?syncToken=\(enc)", headers: auth))
        #expect(r.status == 410)
        // Deleted ids stay reserved.
        let again = try HTTPRequest.json(
            "POST", base,
            [
                "id": "aaaaa1", "start": ["date": "2027-01-01"],
                "end": ["date": "2027-01-02"],
            ], headers: auth)
        #expect(try http.send(again).status == 409)
    }

    @Test func googleIfMatch() throws {
        let (server, http, auth) = try session(.google)
        let id = server.google!.seed([
            "id": "bbbbb1", "summary": "b", "start": ["date": "2027-01-01"],
            "end": ["date": "2027-01-02"],
        ])
        let url = server.baseURL + "/calendar/v3/calendars/primary/events/\(id)"
        var h = auth
        h["If-Match"] = "\"1\""
        #expect(try http.send(HTTPRequest.json("PATCH", url, ["summary": "c"], headers: h)).status == 412)
        #expect(try http.send(HTTPRequest(method: "DELETE", url: url, headers: h)).status == 412)
        #expect(try http.send(HTTPRequest(url: url)).status == 401)
        let current = try http.send(HTTPRequest(url: url, headers: auth))
        h["If-Match"] = current.headers["etag"]
        #expect(try http.send(HTTPRequest.json("PATCH", url, ["summary": "c"], headers: h)).status == 200)
    }

    @Test func googlePutReplacesAndPatchMergesExtendedProperties() throws {
        let (server, http, auth) = try session(.google)
        let id = server.google!.seed([
            "id": "ccccc1", "summary": "c", "start": ["date": "2027-01-01"], "end": ["date": "2027-01-02"],
            "extendedProperties": ["private": ["almanacOrigin": "ccccc1", "note": "n"]],
        ])
        let url = server.baseURL + "/calendar/v3/calendars/primary/events/\(id)"
        func privateProperties() throws -> [String: String]? {
            let r = try http.send(HTTPRequest(url: url, headers: auth))
            return (r.jsonObject?["extendedProperties"] as? [String: Any])?["private"] as? [String: String]
        }
        let patch = ["extendedProperties": ["private": ["note": "m"]], "location": NSNull()] as [String: Any]
        #expect(try http.send(HTTPRequest.json("PATCH", url, patch, headers: auth)).status == 200)
        #expect(try privateProperties() == ["almanacOrigin": "ccccc1", "note": "m"])
        let put: [String: Any] = ["summary": "d", "start": ["date": "2027-01-01"], "end": ["date": "2027-01-02"]]
        #expect(try http.send(HTTPRequest.json("PUT", url, put, headers: auth)).status == 200)
        #expect(try privateProperties() == nil)
    }

    @Test func cronofyShapes() throws {
        let (server, http, auth) = try session(.cronofy)
        let cal = server.cronofy!.calendarIDs[0]
        let events = server.baseURL + "/v1/calendars/\(cal)/events"
        var r = try http.send(
            HTTPRequest.json(
                "POST", events,
                [
                    "event_id": "e1", "start": "2027-01-01T09:00:00Z",
                    "end": "2027-01-01T10:00:00Z",
                ], headers: auth))
        #expect(r.status == 422)
        let errors = r.jsonObject?["errors"] as? [String: [[String: String]]]
        #expect(errors?["summary"]?.first?["key"] == "errors.required")
        #expect(errors?["summary"]?.first?["description"] != nil)
        r = try http.send(
            HTTPRequest.json(
                "POST", events,
                [
                    "event_id": "e1", "summary": "s", "start": "2027-01-01T09:00:00Z",
                    "end": "2027-01-01T10:00:00Z",
                ], headers: auth))
        #expect(r.status == 202)
        #expect(try http.send(HTTPRequest(url: server.baseURL + "/v1/events", headers: auth)).status == 422)
        r = try http.send(HTTPRequest(url: server.baseURL + "/v1/events?tzid=Etc/UTC", headers: auth))
        #expect((r.jsonObject?["events"] as? [Any])?.count == 0)  // managed events excluded by default
        r = try http.send(
            HTTPRequest(url: server.baseURL + "/v1/events?tzid=Etc/UTC&include_managed=true", headers: auth))
        #expect(((r.jsonObject?["events"] as? [[String: Any]])?.first?["event_id"] as? String) == "e1")
        r = try http.send(HTTPRequest.json("DELETE", events, ["event_id": "e1"], headers: auth))
        #expect(r.status == 202)
        #expect(server.cronofy!.managedEvents().isEmpty)
    }

    /// An upsert on the `event_id` of a deleted event makes a new event: the old attendees and
    /// their answers do not come back (found by the model test: a row re-created after a lost
    /// state showed the deleted event's empty name and its decline).
    @Test func cronofyUpsertAfterDeleteStartsAfresh() throws {
        let (server, http, auth) = try session(.cronofy)
        let events = server.baseURL + "/v1/calendars/\(server.cronofy!.calendarIDs[0])/events"
        func upsert(_ name: String) throws -> Int {
            try http.send(
                HTTPRequest.json(
                    "POST", events,
                    [
                        "event_id": "e1", "summary": "s", "start": "2027-01-01T09:00:00Z",
                        "end": "2027-01-01T10:00:00Z",
                        "attendees": ["invite": [["email": "p@example.com", "display_name": name]]],
                    ], headers: auth)
            ).status
        }
        #expect(try upsert("") == 202)
        server.cronofy!.edit(eventID: "e1") { e in
            var a = e["attendees"] as? [[String: Any]] ?? []
            a[0]["status"] = "declined"
            e["attendees"] = a
        }
        server.cronofy!.userDelete(eventID: "e1")
        #expect(try upsert("Ann Lee") == 202)
        let attendees = server.cronofy!.managedEvents()["e1"]?["attendees"] as? [[String: Any]]
        #expect(attendees?.count == 1)
        #expect(attendees?.first?["display_name"] as? String == "Ann Lee")
        #expect(attendees?.first?["status"] as? String == "needs_action")
    }

    @Test func cronofyPagingFollowsNextPage() throws {
        let (server, http, auth) = try session(.cronofy)
        server.cronofy!.pageSize = 10
        for n in 0..<25 {
            server.cronofy!.seed(summary: "e\(n)", start: "2027-01-01T09:00:00Z", end: "2027-01-01T10:00:00Z")
        }
        var url: String? = server.baseURL + "/v1/events?tzid=Europe/London"
        var seen = 0
        var pages = 0
        while let u = url {
            let r = try http.send(HTTPRequest(url: u, headers: auth))
            seen += (r.jsonObject?["events"] as? [Any])?.count ?? 0
            url = (r.jsonObject?["pages"] as? [String: Any])?["next_page"] as? String
            pages += 1
        }
        #expect(seen == 25)
        #expect(pages == 3)
    }
}

@Suite("fake state survives a restart through its snapshot")
struct FakeStateTests {
    @Test func snapshotRestoresBothFakes() throws {
        let g1 = GoogleFake()
        g1.seed(["id": "keep00001", "summary": "kept", "start": ["date": "2027-01-01"], "end": ["date": "2027-01-02"]])
        g1.seed(["id": "gone00001", "summary": "x", "start": ["date": "2027-01-01"], "end": ["date": "2027-01-02"]])
        g1.userDelete("gone00001")
        let data = try JSONSerialization.data(withJSONObject: g1.snapshot())
        let g2 = GoogleFake()
        g2.restore(try JSONSerialization.jsonObject(with: data) as! [String: Any])
        #expect(g2.event("keep00001")?["summary"] as? String == "kept")
        #expect(g2.events().count == 1)

        let c1 = CronofyFake()
        c1.seed(summary: "s", start: "2027-01-01T09:00:00Z", end: "2027-01-01T10:00:00Z")
        let c2 = CronofyFake()
        c2.restore(
            try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: c1.snapshot()))
                as! [String: Any])
        #expect(c2.liveEvents().count == 1)
        #expect(c2.liveEvents().first?["summary"] as? String == "s")
    }
}

@Suite("fake admin calls act as the calendar's user", .timeLimit(.minutes(10)))
struct FakeAdminTests {
    /// `slow_delay` sets how late a `slow` answer is; a value that is not seconds from 0 to 300 is refused.
    @Test func faultsTakeTheDelayOfSlowAnswers() throws {
        let server = try FakeServer(.google)
        defer { server.stop() }
        let http = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        func faults(_ query: String) throws -> Int {
            try http.send(HTTPRequest(method: "POST", url: server.baseURL + "/_fake/faults?" + query)).status
        }
        #expect(try faults("rate=1&kinds=slow&slow_delay=soon") == 400)
        #expect(try faults("rate=1&kinds=slow&slow_delay=-1") == 400)
        #expect(try faults("rate=1&kinds=slow&slow_delay=301") == 400)
        #expect(try faults("rate=1&kinds=slow&slow_delay=1.5") == 200)
        let start = Date()
        _ = try http.send(HTTPRequest(method: "GET", url: server.baseURL + "/calendar/v3/users/me/calendarList"))
        let took = Date().timeIntervalSince(start)
        #expect(took >= 1.5, "answered after \(took)s with slow_delay=1.5")
        #expect(server.log.all.filter { $0.fault == .slow }.count == 1)
    }

    @Test func respondAndDelete() throws {
        let server = try FakeServer(.google)
        server.google!.seed([
            "id": "adm000001", "summary": "a", "start": ["date": "2027-01-01"], "end": ["date": "2027-01-02"],
            "attendees": [["email": "p@example.com", "responseStatus": "needsAction"]],
        ])
        let http = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        let r = try http.send(
            HTTPRequest(method: "POST", url: server.baseURL + "/_fake/respond?id=adm000001&status=accepted"))
        #expect(r.status == 200)
        let attendees = server.google!.event("adm000001")?["attendees"] as? [[String: Any]]
        #expect(attendees?.first?["responseStatus"] as? String == "accepted")
        _ = try http.send(HTTPRequest(method: "POST", url: server.baseURL + "/_fake/delete?id=adm000001"))
        #expect(server.google!.event("adm000001") == nil)
    }
}
