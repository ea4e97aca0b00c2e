import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// An ODBC failure carries the driver's diagnostics as its cause, never the password. Against the
/// test PostgreSQL (skipped without it, failed under `ALMANAC_REQUIRE_SERVICES=1`).
@Suite(.serialized, .timeLimit(.minutes(10))) struct ODBCErrorCauseTests {
    @Test func aRefusedLoginCarriesTheDriverDiagnosticsWithoutThePassword() throws {
        guard let cs = PG.connectionString(password: false) else { return }
        let secret = "wr0ng-Pa55;word"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-cause-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pw")
        try (secret + "\n").write(to: file, atomically: true, encoding: .utf8)
        let c = try Fixture.connector(
            cs, connection: ["password_file": file.path],
            job: ["read_query": "SELECT 1 AS external_id, now()::timestamp AS start_time WHERE now() > :window_start"])
        do {
            _ = try Fixture.readAll(c, SQLiteSourceTests.march)
            Issue.record("the login with a wrong password did not fail")
        } catch let e as AlmanacError {
            #expect(e.code == .odbcLoginRefused)
            #expect(e.message.hasPrefix("connection \"db\": the database refused the login"))
            #expect(e.causeChain.count == 1)
            // psqlODBC: `[08001] connection to server at … failed: FATAL:  password authentication failed …`
            #expect(e.causeChain.first?.contains("password authentication failed") == true, "\(e.causeChain)")
            for text in [e.description, e.renderedCause ?? ""] + e.causeChain {
                #expect(!text.contains(secret), "the password appears in \(text)")
                #expect(!text.contains("wr0ng"), "the password appears in \(text)")
            }
        }
    }

    @Test func aFailedQueryCarriesTheDiagnosticsItQuotes() throws {
        guard let cs = PG.connectionString() else { return }
        let c = try Fixture.connector(
            cs,
            job: [
                "read_query":
                    "SELECT x AS external_id, now()::timestamp AS start_time FROM no_such_table_for_causes "
                    + "WHERE now() > :window_start"
            ])
        do {
            _ = try Fixture.readAll(c, SQLiteSourceTests.march)
            Issue.record("the query on a missing table did not fail")
        } catch let e as AlmanacError {
            #expect(e.code == .odbcQueryFailed)
            let diagnostics = try #require(e.causeChain.first)
            #expect(diagnostics.contains("[42P01]"), "\(diagnostics)")
            // The message already quotes the diagnostics: the text form does not repeat them.
            #expect(e.message.hasSuffix(diagnostics))
            #expect(e.description == e.message)
        }
    }
}
