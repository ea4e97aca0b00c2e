import AlmanacWire
import Foundation
import Testing

/// A run that fails on an error wrapping another (a query the SQLite ODBC driver refuses) shows the
/// driver's diagnostics as the cause chain: `cause` in `sync --wait --json` and `status --json`,
/// `error.cause` in the log — and never the connection string's password.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ErrorCauseEndToEndTests {
    @Test func aFailedQueryShowsItsCauseEverywhereWithoutThePassword() throws {
        let h = try DaemonHarness()
        let db = h.root + "/clinic.db"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db, "CREATE TABLE appts (id TEXT, starts TEXT);"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let secret = "e2e-s3cret-pw"
        try h.write(
            "clinic.toml",
            """
            timezone = "UTC"
            [schedule]
            manual = true
            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=\(db);PWD=\(secret);"
            [connections.out]
            connector = "csv"
            path = "\(h.root)/out.csv"
            [[jobs]]
            name = "main"
            from = "db"
            to = "out"
            [jobs.source]
            read_query = "SELECT id AS external_id, starts AS start_time FROM no_such_table"

            """)
        try h.start()
        try h.waitReady("clinic")

        let sync = try h.cli(["sync", "clinic", "--wait", "--json"])
        #expect(sync.code == 1)
        let line = try #require(
            sync.out.split(separator: "\n").first { $0.contains("\"event\":\"run\"") }, "\(sync.out)\(sync.err)")
        let run = try #require(try Wire.decoder().decode(SyncEvent.self, from: Data(line.utf8)).run)
        #expect(run.errorCode == "odbc.query_failed")
        let cause = try #require(run.cause, "\(line)")
        #expect(cause.count == 1)
        #expect(cause.first?.contains("no such table") == true, "\(cause)")

        let status = try h.cli(["status", "clinic", "--json"])
        #expect(status.out.contains("\"cause\":["), "\(status.out)")
        #expect(try h.status("clinic")?.lastRun?.cause == cause)

        try h.waitUntil("the failed run is logged", timeout: 10) {
            try String(contentsOfFile: h.logPath, encoding: .utf8).contains("error.cause=")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("error.code=odbc.query_failed"))
        for text in [sync.out, sync.err, status.out, log] {
            #expect(!text.contains(secret), "the password appears in \(text)")
        }
    }
}
