import AlmanacWire
import Foundation
import Testing

/// A database that disappears for a while (the file renamed, a server down) fails the run for a
/// passing reason: the worker retries it with backoff, `almanac status` shows `retrying in N`,
/// the failure is logged at warning with its `error.code`, and the retry after the database
/// comes back syncs without waiting for the schedule.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct TransientFailureTests {
    func sqlite(_ path: String, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [path, sql]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test func aVanishedDatabaseIsRetriedUntilItComesBack() throws {
        let h = try DaemonHarness()
        h.testWorker = true
        let db = h.root + "/clinic.db"
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try sqlite(
            db,
            "CREATE TABLE appts (id TEXT, title TEXT, starts TEXT); INSERT INTO appts VALUES ('a1', 'Visit', '\(start)');"
        )
        try h.write(
            "clinic.toml",
            """
            timezone = "UTC"
            # almanac-test: retry-delay=1
            [schedule]
            manual = true
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);"
            [connections.out]
            connector = "csv"
            path = "\(h.root)/out.csv"
            [[jobs]]
            name = "main"
            from = "db"
            to = "out"
            [jobs.source]
            read_query = "SELECT id AS external_id, title, starts AS start_time FROM appts"

            """)
        try "external_id,title,start_time\n".write(toFile: h.root + "/out.csv", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: db, toPath: db + ".moved")
        try h.start()
        try h.waitReady("clinic")

        let failed = try h.cli(["sync", "clinic", "--wait"])
        #expect(failed.code == 1)
        #expect(failed.out.contains("odbc.database_missing"), "\(failed.out)")
        // Each retry fails again while the file is away, and schedules the next one further out.
        try h.waitUntil("`almanac status` shows the pending retry", timeout: 10) {
            try h.cli(["status"]).out.contains("retrying in ")
        }
        try h.waitUntil("`almanac status NAME --json` shows the pending retry", timeout: 10) {
            let out = try h.cli(["status", "clinic", "--json"]).out
            return out.contains("\"retry_in_s\":") && out.contains("\"retry_at\":")
        }
        try h.waitUntil("a second retry failed", timeout: 10) {
            try String(contentsOfFile: h.logPath, encoding: .utf8).contains("failures=2")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8).split(separator: "\n")
        let failure = log.filter { $0.contains("msg=\"run finished\"") && $0.contains("result=failed") }
        #expect(!failure.isEmpty)
        #expect(
            failure.allSatisfy { $0.contains("level=warning") && $0.contains("error.code=odbc.database_missing") },
            "\(failure)")

        // The database comes back; nobody asks for a sync and the schedule is manual: a retry syncs it.
        try FileManager.default.moveItem(atPath: db + ".moved", toPath: db)
        try h.waitUntil("a retry synced the row", timeout: 20) {
            try String(contentsOfFile: h.root + "/out.csv", encoding: .utf8).contains(",Visit,")
        }
        try h.waitUntil("the retry is the last run", timeout: 5) {
            try h.status("clinic")?.lastRun?.result == "success"
        }
        let status = try #require(try h.status("clinic"))
        #expect(status.lastRun?.trigger == "retry")
        #expect(status.retryInS == nil && status.retryAt == nil)
        #expect(status.lastError == nil)
        h.stop()
    }
}
