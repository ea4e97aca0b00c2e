import FakeCalendars
import Foundation
import Testing

/// Issue 19's acceptance: a database of 1,000 appointments (SQLite through ODBC) synced by the
/// built binary to a fake Google Calendar that already holds 500 of them, seeded through the
/// fake's admin endpoint as the calendar's user made them (no origin stamp, titles in capitals,
/// times in another offset), among them 10 pairs of appointments sharing a start and a title.
/// The first run links 480, creates 500 and reports the 10 pairs; the calendar ends with 1,000
/// events and no duplicate, and a second run changes nothing.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FirstLinkGoogleEndToEndTests {
    /// Row `i`: its title and start (rows 0…19 are 10 pairs sharing both).
    static func row(_ i: Int, day: Date) -> (title: String, start: Date) {
        if i < 20 { return ("Shared \(i / 2)", day.addingTimeInterval(Double(86_400 + (i / 2) * 3_600))) }
        let start = day.addingTimeInterval(Double(86_400 * (1 + i % 20)) + Double(8 * 3_600 + (i / 20) * 600))
        return ("Visit \(i)", start)
    }

    @Test func aCalendarHoldingHalfTheAppointmentsEndsWithEachOnce() throws {
        let dir = TempDirectory("first-link-google")
        let account = try FakeGoogleAccount(in: dir, clientID: "almanac-first-link")
        defer { account.server.stop() }
        let google = account.google
        let day = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let sqlTime = DateFormatter()
        sqlTime.locale = Locale(identifier: "en_US_POSIX")
        sqlTime.timeZone = TimeZone(identifier: "UTC")
        sqlTime.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let googleTime = DateFormatter()
        googleTime.locale = Locale(identifier: "en_US_POSIX")
        googleTime.timeZone = TimeZone(secondsFromGMT: 3_600)
        googleTime.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"

        let db = dir.path + "/clinic.db"
        var sql = "CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, starts TEXT, ends TEXT);\n"
        for i in 0..<1_000 {
            let (title, start) = Self.row(i, day: day)
            sql +=
                "INSERT INTO appointments VALUES (\(i + 1), '\(title)', '\(sqlTime.string(from: start))', "
                + "'\(sqlTime.string(from: start.addingTimeInterval(1_800)))');\n"
        }
        _ = try DemoWriteBackTests.sqlite(db, sql)

        // The calendar's user made 500 of them: rows 0…499, both of each pair among them.
        var curl: [String] = []
        for i in 0..<500 {
            let (title, start) = Self.row(i, day: day)
            let body =
                #"{"summary":"\#(title.uppercased())","start":{"dateTime":"\#(googleTime.string(from: start))"},"#
                + #""end":{"dateTime":"\#(googleTime.string(from: start.addingTimeInterval(1_800)))"}}"#
            if !curl.isEmpty { curl.append("--next") }
            curl += [
                "-s", "-o", "/dev/null", "-w", "%{http_code}\n", "-X", "POST", "-H", "Content-Type: application/json",
                "--data-binary", body, account.server.baseURL + "/_fake/seed",
            ]
        }
        let seeded = try BinaryRunner.run(curl, executable: "/usr/bin/curl")
        #expect(seeded.stdout.split(separator: "\n") == Array(repeating: "200", count: 500), "\(seeded.stderr)")
        #expect(google.events().count == 500)
        #expect(google.events().allSatisfy { $0["extendedProperties"] == nil })

        try account.writeProfile(
            "clinic", in: dir,
            """
            timezone = "UTC"
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"
            \(account.connection("calendar"))
            [[jobs]]
            name = "appointments"
            from = "db"
            to = "calendar"
            window = { past_days = 1, future_days = 30, chunk_days = 31 }
            [jobs.source]
            read_query = '''
            SELECT id AS external_id, subject AS title, starts AS start_time, ends AS end_time
            FROM appointments
            WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
            ORDER BY id
            '''
            """)
        let dry = try BinaryRunner.run(
            ["run", "clinic", "--dry-run", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"],
            environment: [FakeGoogleAccount.tokenVariable: account.refreshToken])
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let lines = dry.stdout.split(separator: "\n").map { String($0) }
        func count(_ kind: String) -> Int { lines.filter { $0.hasPrefix("  \(kind) ") }.count }
        let counts: [Int] = ["link", "ambiguous", "create", "update"].map(count)
        #expect(counts == [480, 10, 500, 480], "\(dry.stdout.suffix(3000))")
        let pair = "  ambiguous -     1, 2  same start_time, title as \(Self.seededIDs(google, "SHARED 0")) on to: "
        #expect(lines.contains(pair + "not linked, not created"), "\(dry.stdout.prefix(3000))")
        #expect(google.events().count == 500)

        let first = try account.run("clinic", in: dir)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("to: 500 created, 480 updated"), "\(first.stdout)")
        #expect(first.stdout.contains("; 480 linked; 10 ambiguous\n"), "\(first.stdout)")
        #expect(first.stdout.components(separatedBy: "\n  ambiguous ").count - 1 == 10, "\(first.stdout)")
        Self.expectEachAppointmentOnce(google.events(), day: day)

        let second = try account.run("clinic", in: dir)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("to: 980 unchanged; from: nothing; 10 ambiguous\n"), "\(second.stdout)")
        Self.expectEachAppointmentOnce(google.events(), day: day)
    }

    /// The ids of the seeded events titled `title`, sorted and joined as a plan line shows them.
    static func seededIDs(_ google: GoogleFake, _ title: String) -> String {
        google.events().filter { $0["summary"] as? String == title }.compactMap { $0["id"] as? String }.sorted()
            .joined(separator: ", ")
    }

    /// 1,000 events, each row's start and title as often as the rows hold it (twice for a pair).
    static func expectEachAppointmentOnce(_ events: [[String: Any]], day: Date) {
        #expect(events.count == 1_000)
        let iso = ISO8601DateFormatter()
        var held: [String: Int] = [:]
        for e in events {
            let start = ((e["start"] as? [String: Any])?["dateTime"] as? String).flatMap { iso.date(from: $0) }
            let title = (e["summary"] as? String ?? "").lowercased()
            held["\(start?.timeIntervalSince1970 ?? -1)|\(title)", default: 0] += 1
        }
        var want: [String: Int] = [:]
        for i in 0..<1_000 {
            let (title, start) = row(i, day: day)
            want["\(start.timeIntervalSince1970)|\(title.lowercased())", default: 0] += 1
        }
        #expect(held == want)
    }
}
