import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// The request log as JSON lines (`GET /_fake/log`, `almanac-fakes --log-file`) and the OAuth
/// client switches.
@Suite("fake request log and OAuth clients", .serialized, .timeLimit(.minutes(10)))
struct RequestLogTests {
    let http = HTTPClient(retry: RetryPolicy(maxAttempts: 1))

    func token(_ server: FakeServer, client: String, secret: String, refresh: String) throws -> HTTPResponse {
        try http.send(
            HTTPRequest(
                method: "POST", url: server.tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data(
                    "client_id=\(client)&client_secret=\(secret)&grant_type=refresh_token&refresh_token=\(refresh)".utf8
                )))
    }

    @Test func batchPartsAndIfMatchAreLoggedAsJSONLines() throws {
        let server = try FakeServer(.google)
        defer { server.stop() }
        let rt = server.auth.register(clientID: "c", secret: "x")
        let access = try token(server, client: "c", secret: "x", refresh: rt).jsonObject?["access_token"] as? String
        let id = server.google!.seed([
            "id": "logs00001", "start": ["date": "2030-01-01"], "end": ["date": "2030-01-02"],
        ])
        let path = "/calendar/v3/calendars/primary/events/\(id)"
        let batch = MultipartBatch.request(
            url: server.baseURL + "/batch/calendar/v3",
            calls: [
                .init(method: "GET", path: path + "?fields=id"),
                .init(method: "DELETE", path: path, headers: ["If-Match": "\"7\""]),
            ],
            headers: ["Authorization": "Bearer \(access ?? "")"])
        #expect(try http.send(batch).status == 200)
        let text = try http.send(HTTPRequest(url: server.baseURL + "/_fake/log")).body
        let lines = try String(decoding: text, as: UTF8.self).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.count == 4)  // token, batch, its two parts
        #expect(lines[0]["path"] as? String == "/token" && (lines[0]["query"] as? [String: Any])?.isEmpty == true)
        #expect(lines[1]["path"] as? String == "/batch/calendar/v3" && lines[1]["batch_parts"] as? Int == 2)
        #expect(lines[2]["batch_part"] as? Int == 0 && lines[2]["status"] as? Int == 200)
        #expect((lines[2]["query"] as? [String: [String]])?["fields"] == ["id"])
        #expect(lines[3]["batch_part"] as? Int == 1 && lines[3]["method"] as? String == "DELETE")
        #expect(lines[3]["status"] as? Int == 412 && lines[3]["if_match"] as? String == "\"7\"")
        #expect(!String(decoding: text, as: UTF8.self).contains(access ?? "-"))
    }

    @Test func bodiesAreLoggedOnlyWhenAskedAndNeverForTokens() throws {
        let server = try FakeServer(.google)
        defer { server.stop() }
        let rt = server.auth.register(clientID: "c", secret: "body-secret")
        let access = try token(server, client: "c", secret: "body-secret", refresh: rt).jsonObject?["access_token"]
        let insert = HTTPRequest(
            method: "POST", url: server.baseURL + "/calendar/v3/calendars/primary/events",
            headers: ["Authorization": "Bearer \(access as? String ?? "")", "Content-Type": "application/json"],
            body: Data(
                #"{"summary": "Body marker 41", "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}"#.utf8))
        #expect(try http.send(insert).status == 200)
        #expect(server.log.all.allSatisfy { $0.body == nil })
        server.log.keepsBodies = true
        _ = try token(server, client: "c", secret: "body-secret", refresh: rt)
        #expect(try http.send(insert).status == 200)
        let entries = server.log.all
        #expect(entries.count == 4)
        #expect(entries[2].path == "/token" && entries[2].body == nil)
        #expect(entries[3].body?.contains("Body marker 41") == true)
        let text = String(decoding: try http.send(HTTPRequest(url: server.baseURL + "/_fake/log")).body, as: UTF8.self)
        #expect(text.contains("Body marker 41") && !text.contains("body-secret"))
    }

    @Test func clientsAreCheckedUnlessAnyClientIsAccepted() throws {
        let server = try FakeServer(.cronofy)
        defer { server.stop() }
        let rt = server.auth.register(clientID: "one", secret: "s1")
        server.auth.register(clientID: "two", secret: "s2")
        #expect(try token(server, client: "one", secret: "s1", refresh: rt).status == 200)
        #expect(try token(server, client: "two", secret: "s2", refresh: rt).status == 200)
        #expect(try token(server, client: "two", secret: "s1", refresh: rt).status == 401)
        #expect(try token(server, client: "three", secret: "s3", refresh: rt).status == 401)
        server.auth.acceptAnyClient = true
        #expect(try token(server, client: "three", secret: "s3", refresh: rt).status == 200)
    }
}
