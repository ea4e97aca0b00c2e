import AlmanacCore
import FakeCalendars
import Foundation
import Testing

/// What scaling the shards does to a profile (README "Sharding"): its file moves to another
/// daemon, its state does not. The daemon that runs it next starts with a fresh state, and the
/// first link pairs what the profile created before by almanac's origin stamp: nothing is created
/// twice and nothing is lost, a change made meanwhile included.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ShardMoveEndToEndTests {
    @Test func aProfileMovedToAnotherShardWithAFreshStateDuplicatesNothing() throws {
        let dir = TempDirectory("shard-move")
        let account = try FakeGoogleAccount(in: dir, clientID: "almanac-shard-move")
        defer { account.server.stop() }
        let google = account.google
        // A name that moves when one shard becomes two: shard 0 of 1, then shard 1 of 2.
        let name = try #require((0..<100).map { "clinic\($0)" }.first { Shard.of($0, count: 2) == 1 })

        let day = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let sqlTime = DateFormatter()
        sqlTime.locale = Locale(identifier: "en_US_POSIX")
        sqlTime.timeZone = TimeZone(identifier: "UTC")
        sqlTime.dateFormat = "yyyy-MM-dd HH:mm:ss"
        func row(_ i: Int) -> String {
            let start = day.addingTimeInterval(Double(86_400 * (1 + i % 10) + 8 * 3_600 + (i / 10) * 1_800))
            return "(\(i + 1), 'Visit \(i)', '\(sqlTime.string(from: start))', "
                + "'\(sqlTime.string(from: start.addingTimeInterval(1_200)))')"
        }
        let db = dir.path + "/clinic.db"
        _ = try DemoWriteBackTests.sqlite(
            db,
            "CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, starts TEXT, ends TEXT);\n"
                + "INSERT INTO appointments VALUES \((0..<40).map(row).joined(separator: ", "));")
        try account.writeProfile(
            name, in: dir,
            """
            timezone = "UTC"
            [schedule]
            manual = true
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
            '''
            """)
        let environment = [FakeGoogleAccount.tokenVariable: account.refreshToken]

        // One shard: it runs the profile and creates the 40 events.
        let one = try DaemonHarness()
        one.sharedProfiles = dir.path + "/profiles"
        try one.start(arguments: ["--shard", "0/1"], environment: environment)
        try one.waitReady(name, timeout: 30)
        let first = try one.cli(["sync", name, "--wait"])
        #expect(first.code == 0 && first.out.contains("to: 40 created"), "\(first.out)\(first.err)")
        #expect(google.events().count == 40)
        #expect(one.stop() == 0)

        // Meanwhile the database changes: 5 new appointments, one renamed.
        _ = try DemoWriteBackTests.sqlite(
            db,
            "INSERT INTO appointments VALUES \((40..<45).map(row).joined(separator: ", "));\n"
                + "UPDATE appointments SET subject = 'Visit 7 (moved)' WHERE id = 8;")

        // Two shards: the profile falls on shard 1, whose daemon has never seen it; the old
        // shard's state is gone (a replica's volume is not the new one's).
        try FileManager.default.removeItem(atPath: one.state)
        let zero = try DaemonHarness()
        zero.sharedProfiles = dir.path + "/profiles"
        try zero.start(arguments: ["--shard", "0/2"], environment: environment)
        defer { zero.stop() }
        let two = try DaemonHarness()
        two.sharedProfiles = dir.path + "/profiles"
        try two.start(arguments: ["--shard", "1/2"], environment: environment)
        defer { two.stop() }
        try two.waitReady(name, timeout: 30)
        #expect(try zero.status(name) == nil)

        let moved = try two.cli(["sync", name, "--wait"])
        #expect(moved.code == 0 && moved.out.contains("to: 5 created, 1 updated"), "\(moved.out)\(moved.err)")
        let events = google.events()
        #expect(events.count == 45, "\(events.count) events")
        let titles = events.compactMap { $0["summary"] as? String }.sorted()
        let want = ((0..<45).map { $0 == 7 ? "Visit 7 (moved)" : "Visit \($0)" }).sorted()
        #expect(titles == want)
        #expect(events.allSatisfy { $0["extendedProperties"] != nil }, "every event carries its origin stamp")

        let again = try two.cli(["sync", name, "--wait"])
        #expect(again.code == 0 && again.out.contains("to: 45 unchanged"), "\(again.out)")
        #expect(google.events().count == 45)
        #expect(zero.stop() == 0 && two.stop() == 0)
    }
}
