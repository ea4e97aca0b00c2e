import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import ODBCConnector

/// `almanac check` rules of the odbc module, through the profile loader.
@Suite struct ValidationTests {
    func issues(_ source: String, connection: String = "connection_string = \"Driver=SQLite3;Database=/tmp/x.db;\"")
        throws
        -> [String]
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-odbc-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("clinic.toml")
        try Data(
            """
            timezone = "America/Chicago"
            [connections.db]
            connector = "odbc"
            \(connection)
            [connections.cal]
            connector = "memory"
            path = "to.json"
            [[jobs]]
            name = "appointments"
            from = "db"
            to = "cal"
            [jobs.source]
            \(source)
            """.utf8
        ).write(to: file)
        switch ProfileLoader(connectors: [ODBCModule.self, MemoryModule.self]).load(path: file.path).result {
        case .success: return []
        case .failure(let e): return e.issues.map(\.description)
        }
    }

    @Test func validStatementsPass() throws {
        #expect(
            try issues(
                """
                read_query = "SELECT id AS external_id, starts AS start_time FROM a WHERE starts >= :window_start"
                update = "UPDATE a SET title = :title WHERE id = :external_id"
                on_confirmed = "UPDATE a SET ok = 1 WHERE id = :external_id"
                """) == [])
    }

    @Test func unknownReadParameterAndUnkeyedStatementsAreErrors() throws {
        let found = try issues(
            """
            read_query = "SELECT id AS external_id, starts AS start_time FROM a WHERE title = :title"
            delete = "DELETE FROM a"
            on_cancelled = "UPDATE a SET cancelled = 1 WHERE note = ':external_id'"
            """)
        #expect(found.count == 3, "\(found)")
        #expect(
            found.contains {
                $0.contains("read_query")
                    && $0.contains("uses :title; a read query knows only :window_start, :window_end and :since")
            })
        #expect(found.contains { $0.contains("delete") && $0.contains("must name its row with :external_id") })
        #expect(found.contains { $0.contains("on_cancelled") && $0.contains("must name its row with :external_id") })
    }

    @Test func inlinePasswordInAReadableProfileIsAnError() throws {
        let found = try issues(
            "read_query = \"SELECT 1 AS external_id, 2 AS start_time\"",
            connection: "connection_string = \"Driver=SQLite3;Database=/tmp/x.db;PWD=secret;\"")
        #expect(found.contains { $0.contains("connection_string") && $0.contains("contains a password") })
        #expect(!found.joined().contains("secret;"))
    }
}

extension ValidationTests {
    @Test func maxValueBytesOutsideItsRangeIsAnError() throws {
        let read = "read_query = \"SELECT 1 AS external_id, 2 AS start_time\""
        let cs = "connection_string = \"Driver=SQLite3;Database=/tmp/x.db;\""
        #expect(try issues(read, connection: cs + "\nmax_value_bytes = 4096") == [])
        for bad in ["100", "2000000000", "\"1MiB\""] {
            let found = try issues(read, connection: cs + "\nmax_value_bytes = \(bad)")
            #expect(found.count == 1 && found[0].contains("max_value_bytes"), "\(bad): \(found)")
        }
    }
}
