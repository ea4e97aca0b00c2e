import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// Which connect failures a later run may get past with nothing changed (the worker retries them
/// soon with backoff), and which need the administrator.
@Suite struct ODBCRetryableTests {
    static let cases: [(ConnectFailure, Bool)] = [
        (.databaseMissing(database: "/srv/clinic.db"), true),
        (.serverUnreachable(detail: "connection refused"), true),
        (.timedOut(seconds: 15), true),
        (.other(detail: "?"), true),
        (.loginRefused(user: "almanac"), false),
        (.driverMissing(driver: "X", installed: []), false),
        (.dataSourceMissing(dsn: "x"), false),
        (.driverUnloadable(driver: "X", detail: "?"), false),
    ]

    @Test(arguments: cases)
    func connectFailuresAreRetryableWhenTheyMayPass(failure: ConnectFailure, retryable: Bool) {
        let error = failure.error(place: "connection \"db\"")
        #expect(error.retryable == retryable)
        #expect(error.code == failure.code)
    }

    /// A SQLite file moved away: the read fails with `odbc.database_missing`, retryable.
    @Test func aMissingSQLiteFileFailsTheReadRetryably() throws {
        let path = Fixture.sqliteFile() + ".moved"
        let c = try Fixture.connector(
            "Driver=SQLite3;Database=\(path);",
            job: ["read_query": "SELECT id AS external_id, starts AS start_time FROM t WHERE starts >= :window_start"])
        do {
            _ = try c.read(ReadRequest(window: SQLiteSourceTests.march))
            Issue.record("the read did not fail")
        } catch let error as AlmanacError {
            #expect(error.code.rawValue == "odbc.database_missing")
            #expect(error.retryable)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
