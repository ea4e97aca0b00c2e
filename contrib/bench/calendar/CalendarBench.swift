import AlmanacCore
import AlmanacHTTP
import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Logging

/// `calendar-bench [COUNT]`: writes COUNT events (default 10,000) to the fake Google on 127.0.0.1
/// through the google connector (batches of 50, 4 in flight) and prints events/s and requests
/// used, next to a peer measured in the same run: one request per event (no batch endpoint).
@main
enum CalendarBench {
    static func connector(_ server: FakeServer, refresh: String, batchSize: Int) -> GoogleConnector {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return GoogleConnector(
            settings: GoogleSettings(
                calendarID: "primary", baseURL: server.baseURL,
                client: OAuthClient(tokenURL: server.tokenURL, clientID: "bench", clientSecret: "bench-secret"),
                refreshToken: refresh, batchSize: batchSize),
            stateDirectory: dir, connection: "bench", timeZone: TimeZone(identifier: "America/Chicago")!,
            logger: Logger(label: "bench"))
    }

    static func events(_ range: Range<Int>, prefix: String) -> [Change] {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        return range.map { n in
            let s = base.addingTimeInterval(Double(n % 2000) * 900)
            let e = Event(
                title: "Appt \(n)", location: "Room \(n % 9)", start: .instant(s, timeZone: "America/Chicago"),
                end: .instant(s.addingTimeInterval(1800), timeZone: "America/Chicago"),
                participants: [Participant(name: "Client \(n)", email: "c\(n)@example.com")],
                custom: ["appt_type": "visit"])
            return .create(id: SHA256.hex("\(prefix)/\(n)"), event: e)
        }
    }

    static func main() throws {
        let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
        let batched = try measure(count: count, batchSize: 50, prefix: "batched")
        let peerCount = max(1, count / 10)
        let single = try measure(count: peerCount, batchSize: 1, prefix: "single")
        let rate = Double(batched.written) / batched.seconds
        let peerRate = Double(single.written) / single.seconds
        let allowed = 1.1 * Double(count) / 50
        print("calendar bench: \(count) events → fake Google (127.0.0.1), libcurl \(CurlTransport.curlVersion)")
        print(
            String(
                format:
                    "  batched (50/batch, 4 in flight): %d written in %.2f s = %.0f events/s, %d requests (target ≤ %.0f, ≥ 3000 events/s)",
                batched.written, batched.seconds, rate, batched.requests, allowed))
        print(
            String(
                format: "  peer, one request per event (%d events): %.0f events/s, %.2f requests/event",
                single.written, peerRate, Double(single.requests) / Double(max(1, single.written))))
        print(
            String(
                format: "  ratio batched/peer: %.1f× events/s, %.3f× requests per event",
                rate / peerRate,
                (Double(batched.requests) / Double(count)) / (Double(single.requests) / Double(peerCount))))
        let engine = try measureEngine(count: count)
        print(String(format: "  through the sync engine (memory source → state SQLite → google connector): %d created in %.2f s = %.0f events/s, %d requests",
                     engine.written, engine.seconds, Double(engine.written) / engine.seconds, engine.requests))
        let ok = batched.written == count && Double(batched.requests) <= allowed && rate >= 3000
        print("  verdict: \(ok ? "meets" : "MISSES") the targets")
    }

    static func measure(count: Int, batchSize: Int, prefix: String) throws -> (
        seconds: Double, requests: Int, written: Int
    ) {
        let server = try FakeServer(.google)
        defer { server.stop() }
        let refresh = server.auth.register(clientID: "bench", secret: "bench-secret")
        let c = connector(server, refresh: refresh, batchSize: batchSize)
        let changes = events(0..<count, prefix: prefix)
        let t0 = Date()
        var written = 0
        // The engine hands the connector a few hundred changes at a time.
        for start in stride(from: 0, to: changes.count, by: 500) {
            let slice = Array(changes[start..<min(changes.count, start + 500)])
            if batchSize == 1 {
                // Peer: plain events.insert calls, no batch endpoint.
                written += try insertOneByOne(server, c, slice)
            } else {
                written += try c.write(slice).filter { if case .written = $0 { return true } else { return false } }
                    .count
            }
        }
        let seconds = Date().timeIntervalSince(t0)
        let requests = server.log.all.filter { !$0.target.hasPrefix("/token") }.count
        return (seconds, requests, written)
    }

    /// One engine run of a two-way job from a memory store of `count` events to the fake Google.
    static func measureEngine(count: Int) throws -> (seconds: Double, requests: Int, written: Int) {
        let server = try FakeServer(.google)
        defer { server.stop() }
        let refresh = server.auth.register(clientID: "bench", secret: "bench-secret")
        let c = connector(server, refresh: refresh, batchSize: 50)
        let h = try SyncHarness(job: """
            direction = "two-way"
            window = { past_days = 7, future_days = 90, chunk_days = 7 }
            """)
        for n in 0..<count { _ = try h.fromStore.put(h.event("Appt \(n)", hours: Double(n % 2000) + 1, participant: "P\(n)")) }
        let job = try SyncJob(profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: h.fromConnector,
                              to: c, batchSize: 500)
        let t0 = Date()
        let report = SyncEngine(job: job, from: h.fromConnector, to: c, store: h.state).run(options: RunOptions(), now: h.now)
            .report
        let seconds = Date().timeIntervalSince(t0)
        let requests = server.log.all.filter { !$0.target.hasPrefix("/token") }.count
        return (seconds, requests, report.toCounts.created)
    }

    static func insertOneByOne(_ server: FakeServer, _ c: GoogleConnector, _ changes: [Change]) throws -> Int {
        let http = c.http
        let tokenReply = try http.send(
            HTTPRequest(
                method: "POST", url: server.tokenURL,
                headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data(
                    "client_id=bench&client_secret=bench-secret&grant_type=refresh_token&refresh_token=\(server.auth.register(clientID: "bench", secret: "bench-secret"))"
                        .utf8)))
        let token = tokenReply.jsonObject?["access_token"] as? String ?? ""
        let requests = changes.compactMap { change -> HTTPRequest? in
            guard case .create(let id, let e) = change else { return nil }
            let start = e.start.date(in: .gmt).formatted(.iso8601)
            let body: [String: Any] = [
                "id": id, "summary": e.title ?? "", "start": ["dateTime": start],
                "end": ["dateTime": start],
            ]
            return try? HTTPRequest.json(
                "POST", server.baseURL + "/calendar/v3/calendars/primary/events", body,
                headers: ["Authorization": "Bearer \(token)"])
        }
        return try http.sendAll(requests).filter { (try? $0.get())?.status == 200 }.count
    }
}
