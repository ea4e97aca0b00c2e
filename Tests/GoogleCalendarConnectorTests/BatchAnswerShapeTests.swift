import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// The batch answers the connector parses (AlmanacHTTP's `MultipartBatch`) are read part for part
/// as google-api-python-client reads them (`contrib/conformance/batch_parse.py`): same status,
/// same body, parts matched by the Content-ID the connector sent.
@Suite(
    "google batch answers parse as the official client parses them", .serialized, .timeLimit(.minutes(10)),
    .enabled(if: OfficialClientVenv.enabled, Comment(rawValue: OfficialClientVenv.missing)))
struct BatchAnswerShapeTests {
    @Test func connectorAndOfficialClientReadTheSameParts() throws {
        let server = try FakeServer(.google)
        defer { server.stop() }
        let rt = server.auth.register(clientID: "c", secret: "x")
        let http = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        let token = try http.send(
            HTTPRequest(
                method: "POST", url: server.tokenURL, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data("client_id=c&client_secret=x&grant_type=refresh_token&refresh_token=\(rt)".utf8)))
        let auth = ["Authorization": "Bearer \(token.jsonObject?["access_token"] as? String ?? "")"]
        let existing = server.google!.seed([
            "id": "shape00001", "summary": "s", "start": ["dateTime": "2030-01-01T09:00:00Z"],
            "end": ["dateTime": "2030-01-01T10:00:00Z"],
        ])
        let events = "/calendar/v3/calendars/primary/events"
        let event = Data(
            #"{"summary":"n","start":{"dateTime":"2030-01-02T09:00:00Z"},"end":{"dateTime":"2030-01-02T10:00:00Z"}}"#
                .utf8)
        let duplicate = Data(#"{"id":"shape00001","start":{"date":"2030-01-01"},"end":{"date":"2030-01-02"}}"#.utf8)
        let calls = [
            MultipartBatch.Call(method: "POST", path: events, body: event),
            MultipartBatch.Call(method: "POST", path: events, body: duplicate),
            MultipartBatch.Call(
                method: "PUT", path: "\(events)/\(existing)", headers: ["If-Match": "\"1\""], body: event),
            MultipartBatch.Call(method: "GET", path: "\(events)/nosuchevent1"),
            MultipartBatch.Call(method: "DELETE", path: "\(events)/\(existing)"),
        ]
        let answer = try http.send(
            MultipartBatch.request(url: server.baseURL + "/batch/calendar/v3", calls: calls, headers: auth))
        #expect(answer.status == 200)
        let ours = MultipartBatch.responses(answer, count: calls.count)
        #expect(ours.map { $0?.status } == [200, 409, 412, 404, 204])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-batch-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data((answer.headers["content-type"] ?? "").utf8).write(to: dir.appendingPathComponent("type"))
        try answer.body.write(to: dir.appendingPathComponent("body"))
        let run = try OfficialClientVenv.run("batch_parse.py", [dir.path + "/type", dir.path + "/body"])
        #expect(run.status == 0, "batch_parse.py: \(run.stderr)")
        struct Part: Decodable {
            var content_id: String?
            var status: Int
            var body: String
        }
        let theirs = try JSONDecoder().decode([Part].self, from: run.stdout)
        #expect(theirs.count == calls.count)
        for (n, mine) in ours.enumerated() {
            let part = theirs.first { $0.content_id == "<response-item-\(n)>" }
            #expect(part != nil, "part \(n): the official client sees no Content-ID <response-item-\(n)>")
            #expect(part?.status == mine?.status, "part \(n): status")
            #expect(part.map { Data($0.body.utf8) } == mine?.body, "part \(n): body")
        }
    }
}
