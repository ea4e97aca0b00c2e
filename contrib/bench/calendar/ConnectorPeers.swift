import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import Foundation
import GoogleCalendarConnector
import Logging

/// The peers the engine figure is compared with, on the same fake process: the google connector
/// alone writing the same number of events from memory, and one `events.insert` request per event.
enum ConnectorPeers {
    struct Figure {
        var seconds: Double
        var written: Int
        var requests: Int

        var rate: Double { Double(written) / seconds }

        func line(label: String) -> String {
            String(
                format: "  %@: %d written in %.2f s = %.0f events/s, %d requests (%.3f per event)", label, written,
                seconds, rate, requests, Double(requests) / Double(max(1, written)))
        }
    }

    static func connector(_ fakes: FakesProcess, directory: URL, batchSize: Int = 50) -> GoogleConnector {
        GoogleConnector(
            settings: GoogleSettings(
                calendarID: "primary", baseURL: fakes.baseURL,
                client: OAuthClient(
                    tokenURL: fakes.baseURL + "/token", clientID: BenchProfile.clientID, clientSecret: "bench-secret"),
                refreshToken: fakes.refreshToken, batchSize: batchSize),
            stateDirectory: directory, connection: "bench", timeZone: TimeZone(identifier: "America/Chicago")!,
            logger: Logger(label: "calendar-bench"))
    }

    static func events(_ range: Range<Int>, prefix: String) -> [Change] {
        let base = Date().addingTimeInterval(86_400)
        return range.map { n in
            let s = base.addingTimeInterval(Double(n % 2000) * 900)
            let e = Event(
                title: "Check-up with Client \(n)", location: "Room \(n % 12)",
                start: .instant(s, timeZone: "America/Chicago"),
                end: .instant(s.addingTimeInterval(2700), timeZone: "America/Chicago"),
                participants: [Participant(name: "Client \(n)", email: "client\(n)@example.org")],
                custom: ["appt_type": "Check-up"])
            return .create(id: SHA256.hex("\(prefix)/\(n)"), event: e)
        }
    }

    /// The connector's own write path, 500 changes per call as the engine's batches were.
    static func batched(fakes: FakesProcess, count: Int, directory: URL) throws -> Figure {
        let c = connector(fakes, directory: directory)
        let changes = events(0..<count, prefix: "alone")
        let before = fakes.apiRequests().requests
        let t0 = Date()
        var written = 0
        for start in stride(from: 0, to: changes.count, by: 500) {
            let outcomes = try c.write(Array(changes[start..<min(changes.count, start + 500)]))
            written += outcomes.filter { if case .written = $0 { return true } else { return false } }.count
        }
        let seconds = Date().timeIntervalSince(t0)
        return Figure(seconds: seconds, written: written, requests: fakes.apiRequests().requests - before)
    }

    /// Plain `events.insert` calls, 4 in flight, no batch endpoint.
    static func oneByOne(fakes: FakesProcess, count: Int, directory: URL) throws -> Figure {
        let c = connector(fakes, directory: directory)
        let http = c.http
        let tokenReply = try http.send(
            HTTPRequest(
                method: "POST", url: fakes.baseURL + "/token",
                headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data(
                    ("client_id=\(BenchProfile.clientID)&client_secret=bench-secret&grant_type=refresh_token"
                        + "&refresh_token=\(fakes.refreshToken)").utf8)))
        let token = tokenReply.jsonObject?["access_token"] as? String ?? ""
        let requests = events(0..<count, prefix: "single").compactMap { change -> HTTPRequest? in
            guard case .create(let id, let e) = change else { return nil }
            let start = e.start.date(in: .gmt).formatted(.iso8601)
            let end = e.end?.date(in: .gmt).formatted(.iso8601) ?? start
            let body: [String: Any] = [
                "id": id, "summary": e.title ?? "", "start": ["dateTime": start], "end": ["dateTime": end],
            ]
            return try? HTTPRequest.json(
                "POST", fakes.baseURL + "/calendar/v3/calendars/primary/events", body,
                headers: ["Authorization": "Bearer \(token)"])
        }
        let before = fakes.apiRequests().requests
        let t0 = Date()
        let written = try http.sendAll(requests).filter { (try? $0.get())?.status == 200 }.count
        let seconds = Date().timeIntervalSince(t0)
        return Figure(seconds: seconds, written: written, requests: fakes.apiRequests().requests - before)
    }

    /// How many events the fake's primary calendar holds in the bench window (a full listing).
    static func listing(fakes: FakesProcess, directory: URL) throws -> Int {
        let c = connector(fakes, directory: directory)
        let now = Date()
        let window = TimeWindow(start: now.addingTimeInterval(-8 * 86_400), end: now.addingTimeInterval(92 * 86_400))
        return try c.readListing(ReadRequest(window: window)).items.count
    }
}
