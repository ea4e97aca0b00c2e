import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// The reference plugins in profiles run by the built binary: an ics feed served on loopback →
/// the fake Google Calendar, and the rest plugin's API ↔ SQLite over ODBC, two-way.
@Suite(
    .serialized, .timeLimit(.minutes(10)),
    .enabled(if: OfficialClientVenv.enabled, Comment(rawValue: OfficialClientVenv.missing)))
struct PluginEndToEndTests {
    /// `DTSTART:20301104T100000Z` for `date` (whole minutes).
    static func stamp(_ date: Date) -> String {
        var f = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
        f = f.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false).timeSeparator(
            .omitted)
        return date.formatted(f).replacingOccurrences(of: "Z", with: "") + "Z"
    }

    static func feed(_ events: [(uid: String, start: Date, title: String, extra: String)]) -> String {
        var text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//almanac tests//EN\r\n"
        for e in events {
            text += "BEGIN:VEVENT\r\nUID:\(e.uid)\r\nDTSTAMP:20260101T000000Z\r\n"
            text += "DTSTART:\(stamp(e.start))\r\nDTEND:\(stamp(e.start + 1_800))\r\nSUMMARY:\(e.title)\r\n"
            text += e.extra + "END:VEVENT\r\n"
        }
        return text + "END:VCALENDAR\r\n"
    }

    @Test func anIcsFeedReachesTheCalendarAndASecondRunWritesNothing() throws {
        let dir = TempDirectory("plugin-ics")
        let account = try FakeGoogleAccount(in: dir, clientID: "almanac-ics")
        let hour = (Date().timeIntervalSince1970 / 3_600).rounded(.down) * 3_600
        let base = Date(timeIntervalSince1970: hour)
        var events: [(uid: String, start: Date, title: String, extra: String)] = [
            ("checkup@example.org", base + 86_400, "Checkup", "LOCATION:Room 1\r\n"),
            ("course@example.org", base + 2 * 86_400, "Course", ""),
            ("weekly@example.org", base + 3 * 86_400, "Team meeting", "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
            ("later@example.org", base + 90 * 86_400, "After the window", ""),
        ]
        try FileManager.default.createDirectory(atPath: dir.path + "/www", withIntermediateDirectories: true)
        try dir.write("www/feed.ics", Self.feed(events))
        let web = try ReferencePlugins.fileServer(dir.url.appendingPathComponent("www"))
        let command = ReferencePlugins.ics.map { "\"\($0)\"" }.joined(separator: ", ")
        try account.writeProfile(
            "holidays", in: dir,
            """
            timezone = "Europe/Vienna"

            [connections.feed]
            connector = "exec"
            command   = [\(command)]
            url       = "\(web.baseURL)/feed.ics"

            \(account.connection("calendar"))

            [[jobs]]
            name = "feed"
            from = "feed"
            to   = "calendar"
            """)
        let check = try BinaryRunner.run(["check", dir.path + "/profiles"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        // The recurring event is reported, not synced: every run is partial (exit 1) because of it.
        let problem =
            "  failed weekly@example.org (from): RRULE: recurring events are not supported yet by the ics connector\n"
        let first = try account.run("holidays", in: dir)
        #expect(first.status == 1)
        #expect(first.stdout.contains("; to: 2 created, 1 failed; from: nothing\n" + problem), "\(first.stdout)")
        let titles = account.google.events().compactMap { $0["summary"] as? String }.sorted()
        #expect(titles == ["Checkup", "Course"])
        let stamps = { account.google.events().map { "\($0["id"] ?? "") \($0["etag"] ?? "") \($0["updated"] ?? "")" } }
        let written = stamps()

        let second = try account.run("holidays", in: dir)
        #expect(second.stdout.contains("; to: 1 failed, 2 unchanged; from: nothing\n" + problem), "\(second.stdout)")
        #expect(stamps() == written, "the second run wrote to the calendar")

        // The feed changes: an edit and a removal reach the calendar, then nothing again.
        events[0].title = "Checkup (moved)"
        events.remove(at: 1)
        try dir.write("www/feed.ics", Self.feed(events))
        let third = try account.run("holidays", in: dir)
        #expect(third.stdout.contains("1 updated") && third.stdout.contains("1 deleted"), "\(third.stdout)")
        #expect(account.google.events().compactMap { $0["summary"] as? String } == ["Checkup (moved)"])
        let fourth = try account.run("holidays", in: dir)
        #expect(fourth.stdout.contains("; to: 1 failed, 1 unchanged; from: nothing\n"), "\(fourth.stdout)")
        account.server.stop()
        withExtendedLifetime(web) {}
    }

    /// The rest API's live items: title → (id, etag).
    static func restItems(_ server: ReferencePlugins.Server, token: String) throws -> [String: (String, String)] {
        let dump = try ReferencePlugins.http("GET", server.baseURL + "/_admin/dump", token: token) as? [String: Any]
        var out: [String: (String, String)] = [:]
        for item in dump?["items"] as? [[String: Any]] ?? [] {
            let title = (item["event"] as? [String: Any])?["title"] as? String ?? ""
            out[title] = (item["id"] as? String ?? "", item["etag"] as? String ?? "")
        }
        return out
    }

    @Test func theRestApiAndSQLiteStayInStepBothWays() throws {
        let dir = TempDirectory("plugin-rest")
        let token = "rest-\(UUID().uuidString)"
        let server = try ReferencePlugins.restServer(token: token)
        let db = dir.path + "/clinic.db"
        let day = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 + 86_400)
        let wall = { (d: Date) in
            d.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
                .replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        }
        let rows = (0..<3).map { i in
            "INSERT INTO appts VALUES ('a\(i)', 'Visit \(i)', '\(wall(day + Double(i) * 3_600))', "
                + "'\(wall(day + Double(i) * 3_600 + 1_800))');"
        }
        _ = try DemoWriteBackTests.sqlite(
            db,
            "CREATE TABLE appts (id TEXT PRIMARY KEY, subject TEXT, starts TIMESTAMP, ends TIMESTAMP);" + rows.joined())
        try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
        try dir.write(
            "profiles/practice.toml",
            """
            timezone = "UTC"

            [connections.db]
            connector         = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"

            [connections.api]
            connector = "exec"
            command   = ["\(ReferencePlugins.rest[0])"]
            base_url  = "\(server.baseURL)"
            token_env = "REST_TOKEN"
            page_size = 2

            [[jobs]]
            name      = "appointments"
            from      = "db"
            to        = "api"
            direction = "two-way"

            [jobs.source]
            read_query = '''
            SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time FROM appts
            WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            '''
            update = "UPDATE appts SET subject = :title, starts = :start_time, ends = :end_time WHERE id = :external_id"
            """)
        func run() throws -> String {
            let out = try BinaryRunner.run(
                ["run", "practice", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"],
                environment: ["REST_TOKEN": token])
            #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
            #expect(!(out.stdout + out.stderr).contains(token))
            return out.stdout
        }

        let first = try run()
        #expect(first.contains("to: 3 created"), "\(first)")
        #expect(try Self.restItems(server, token: token).keys.sorted() == ["Visit 0", "Visit 1", "Visit 2"])
        let items = try Self.restItems(server, token: token).mapValues { "\($0.0) \($0.1)" }
        let second = try run()
        #expect(second.contains("; to: 3 unchanged; from: nothing\n"), "\(second)")
        #expect(try Self.restItems(server, token: token).mapValues { "\($0.0) \($0.1)" } == items, "rewrote items")

        // An edit on the API reaches the row…
        let (id, etag) = try #require(try Self.restItems(server, token: token)["Visit 1"])
        let item = try ReferencePlugins.http("GET", server.baseURL + "/items/" + id, token: token) as? [String: Any]
        var event = try #require(item?["event"] as? [String: Any])
        event["title"] = "Visit 1, edited on the API"
        try ReferencePlugins.http(
            "PUT", server.baseURL + "/items/" + id, token: token, headers: ["If-Match: \(etag)"], body: ["event": event]
        )
        let third = try run()
        #expect(third.contains("from: 1 updated"), "\(third)")
        #expect(
            try DemoWriteBackTests.sqlite(db, "SELECT subject FROM appts WHERE id = 'a1'") == [
                "Visit 1, edited on the API"
            ])

        // …and an edit of a row reaches the API.
        _ = try DemoWriteBackTests.sqlite(db, "UPDATE appts SET subject = 'Visit 2, edited in SQLite' WHERE id = 'a2'")
        let fourth = try run()
        #expect(fourth.contains("to: 1 updated"), "\(fourth)")
        #expect(
            try Self.restItems(server, token: token).keys.sorted() == [
                "Visit 0", "Visit 1, edited on the API", "Visit 2, edited in SQLite",
            ])
        let fifth = try run()
        #expect(fifth.contains("; to: 3 unchanged; from: nothing\n"), "\(fifth)")
        #expect(
            try DemoWriteBackTests.sqlite(db, "SELECT id, subject FROM appts ORDER BY id") == [
                "a0|Visit 0", "a1|Visit 1, edited on the API", "a2|Visit 2, edited in SQLite",
            ])
    }
}
