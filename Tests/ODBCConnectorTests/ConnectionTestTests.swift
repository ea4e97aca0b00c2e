import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// `testConnection()` names the step that failed, in exact words, and never shows the password.
@Suite struct ConnectionTestTests {
    static let query = "SELECT id AS external_id, starts AS start_time FROM appointments WHERE starts >= :window_start"

    func sqlite() throws -> String {
        let path = Fixture.sqliteFile()
        try SQL("Driver=SQLite3;Database=\(path);").exec(SQLiteSourceTests.schema)
        return path
    }

    func report(_ cs: String, connection: [String: String] = [:], job: [String: String] = ["read_query": query]) throws
        -> ConnectionReport
    {
        try Fixture.connector(cs, connection: connection, job: job).testConnection()
    }

    @Test func allStepsPass() throws {
        let path = try sqlite()
        let r = try report(
            "Driver=SQLite3;Database=\(path);",
            job: [
                "read_query": Self.query, "update": "UPDATE appointments SET subject = :title WHERE id = :external_id",
            ])
        #expect(r.ok)
        #expect(r.steps.map(\.name) == ["driver", "connect", "read_query", "update"])
        #expect(
            r.steps.map(\.detail) == [
                "ODBC driver \"SQLite3\" is installed", "logged in", "valid; 2 columns", "valid (dry run rolled back)",
            ])
    }

    @Test func driverNotInstalledNamesTheInstalledOnes() throws {
        let installed = try ODBCEnvironment().installedDrivers()
        #expect(installed.contains("SQLite3"))
        let r = try report("Driver=No Such Driver;Database=/tmp/x.db;")
        #expect(!r.ok)
        #expect(
            r.steps == [
                .init(
                    name: "driver", ok: false,
                    detail:
                        "the ODBC driver \"No Such Driver\" is not installed; installed drivers: \(installed.joined(separator: ", ")) (odbcinst -q -d lists them)"
                )
            ])
    }

    @Test func unknownDataSource() throws {
        let r = try report("DSN=almanac_nosuch;")
        #expect(
            r.steps == [
                .init(
                    name: "driver", ok: false,
                    detail: "the data source \"almanac_nosuch\" is not defined in odbc.ini (odbcinst -q -s lists them)")
            ])
    }

    @Test func databaseMissing() throws {
        let path = Fixture.sqliteFile() + ".missing"
        let r = try report("Driver=SQLite3;Database=\(path);")
        #expect(
            r.steps.last
                == .init(
                    name: "connect", ok: false,
                    detail:
                        "the database \"\(path)\" does not exist (or this user may not open it): check Database= in connection_string"
                ))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readQueryInvalid() throws {
        let path = try sqlite()
        let r = try report(
            "Driver=SQLite3;Database=\(path);", job: ["read_query": "SELECT * FROM nope WHERE a > :window_start"])
        #expect(r.steps.map(\.ok) == [true, true, false])
        let detail = r.steps.last!.detail
        #expect(detail.hasPrefix("read_query is not valid: [HY000] "))
        #expect(detail.contains("no such table: nope"))
    }

    @Test func readQueryMissingColumn() throws {
        let path = try sqlite()
        let r = try report(
            "Driver=SQLite3;Database=\(path);", job: ["read_query": "SELECT id AS external_id FROM appointments"])
        #expect(
            r.steps.last
                == .init(
                    name: "read_query", ok: false,
                    detail: "read_query returns no column named start_time (alias one: AS start_time)"))
    }

    @Test func writeStatementInvalid() throws {
        let path = try sqlite()
        let r = try report(
            "Driver=SQLite3;Database=\(path);",
            job: [
                "read_query": Self.query, "on_confirmed": "UPDATE appointments SET nope = 1 WHERE id = :external_id",
            ])
        #expect(r.steps.map(\.name) == ["driver", "connect", "read_query", "on_confirmed"])
        #expect(r.steps.last?.ok == false)
        #expect(r.steps.last?.detail.hasPrefix("on_confirmed is not valid: ") == true)
        #expect(r.steps.last?.detail.contains("no such column: nope") == true)
    }

    @Test func loginRefusedWithoutEchoingThePassword() throws {
        guard let cs = PG.connectionString(password: false) else { return }
        let secret = "wr0ng;pa}}ss{word"
        setenv("ALMANAC_ODBC_TEST_BADPW", secret, 1)
        let r = try report(cs, connection: ["password_env": "ALMANAC_ODBC_TEST_BADPW"])
        let user = ODBCConnectionString.value(of: "uid", in: cs)!
        #expect(
            r.steps.last
                == .init(
                    name: "connect", ok: false,
                    detail:
                        "the database refused the login for user \"\(user)\": check the user name and the password (password_file or password_env)"
                ))
        let all = r.steps.map(\.detail).joined(separator: "\n")
        #expect(!all.contains(secret) && !all.contains("wr0ng"))
    }

    @Test func postgresDatabaseMissing() throws {
        guard let cs = PG.connectionString(database: "almanac_no_such_db") else { return }
        let r = try report(cs)
        #expect(
            r.steps.last
                == .init(
                    name: "connect", ok: false,
                    detail:
                        "the database \"almanac_no_such_db\" does not exist (or this user may not open it): check Database= in connection_string"
                ))
    }

    @Test func postgresUnreachable() throws {
        guard PG.connectionString() != nil else { return }
        let r = try report(
            "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=1;Database=x;Uid=u;", connection: ["connect_timeout": "3s"]
        )
        #expect(r.steps.last?.name == "connect")
        #expect(r.steps.last?.detail.hasPrefix("cannot reach the database server: ") == true)
    }

    @Test func postgresReadQueryInvalid() throws {
        guard let cs = PG.connectionString() else { return }
        let r = try report(cs, job: ["read_query": "SELECT * FROM almanac_nope WHERE a > :window_start"])
        #expect(r.steps.map(\.ok) == [true, true, false])
        #expect(r.steps.last?.detail.hasPrefix("read_query is not valid: [42P01] ") == true)
        #expect(r.steps.last?.detail.contains("relation \"almanac_nope\" does not exist") == true)
    }
}
