import FakeCalendars
import Foundation
import Testing

/// The shipped `profiles.d/clinic.toml` (SQLite over ODBC → Google, two-way with `on_confirmed`)
/// run by the built binary against the fake Google Calendar: the demo's promise, as a test.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DemoWriteBackTests {
    static let root = BinaryRunner.packageRoot

    /// Runs `sqlite3 DB SQL` and returns its output lines.
    static func sqlite(_ db: String, _ sql: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "sqlite3 \(sql)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func anAcceptanceOnTheCalendarConfirmsTheClinicRow() throws {
        let dir = TempDirectory("demo")
        let server = try FakeServer(.google)
        let google = try #require(server.google)
        let secret = "demo-secret-\(UUID().uuidString)"
        let refresh = server.auth.register(clientID: "almanac-demo", secret: secret)
        try dir.write("client-secret", secret, mode: 0o600)
        let db = dir.path + "/clinic.db"
        try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
        _ = try Self.sqlite(db, ".read " + Self.root.appendingPathComponent("contrib/demo/clinic.sql").path)

        // The shipped profile, pointed at this test's database, fake and secret file.
        var profile = try String(
            contentsOf: Self.root.appendingPathComponent("profiles.d/clinic.toml"), encoding: .utf8)
        for (from, to) in [
            ("http://127.0.0.1:18080", server.baseURL), (".build/demo/clinic.db", db),
            ("../contrib/demo/secrets/client-secret", dir.path + "/client-secret"),
        ] {
            #expect(profile.contains(from), "clinic.toml no longer names \(from)")
            profile = profile.replacingOccurrences(of: from, with: to)
        }
        try dir.write("profiles/clinic.toml", profile)
        let env = ["ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN": refresh]
        func run() throws -> BinaryRunner.Output {
            let out = try BinaryRunner.run(
                ["run", "clinic", "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"],
                environment: env)
            #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
            #expect(!(out.stdout + out.stderr).contains(secret) && !(out.stdout + out.stderr).contains(refresh))
            return out
        }

        // 1. The appointments of the window reach the calendar, each with its client as attendee
        //    when the client has an e-mail address.
        let first = try run()
        let events = google.events()
        #expect(events.count > 20, "\(first.stdout)")
        #expect(first.stdout.contains("to: \(events.count) created"), "\(first.stdout)")

        // 2. The client of one appointment accepts on the calendar: the next run writes
        //    `confirmed = 1` into that row only, and reports one confirmation.
        let invited = try #require(
            events.first { (($0["attendees"] as? [[String: Any]])?.first?["email"] as? String) != nil })
        let id = try #require(invited["id"] as? String)
        google.edit(id) { e in
            var attendees = e["attendees"] as? [[String: Any]] ?? []
            attendees[0]["responseStatus"] = "accepted"
            e["attendees"] = attendees
        }
        let second = try run()
        #expect(second.stdout.contains("from: 1 confirmed"), "\(second.stdout)")
        let start = try #require((invited["start"] as? [String: Any])?["dateTime"] as? String)
        // The event's local start (2026-11-24T09:00:00-06:00) is the row's naive `starts`.
        let naive = String(start.prefix(19)).replacingOccurrences(of: "T", with: " ")
        #expect(try Self.sqlite(db, "SELECT starts FROM appointments WHERE confirmed = 1") == [naive])

        // 3. Sent once: the following run has nothing to do.
        let third = try run()
        #expect(third.stdout.contains("from: nothing"), "\(third.stdout)")
        #expect(try Self.sqlite(db, "SELECT count(*) FROM appointments WHERE confirmed = 1") == ["1"])
        server.stop()
    }
}
