import AlmanacCore
import AlmanacTestKit
import Foundation
import Logging
import RowMapping
import Testing

@testable import ODBCConnector

/// Builds connectors and runs setup SQL for the tests, through the same ODBC layer.
enum Fixture {
    /// `query` with its window condition compared through SQLite's `datetime()` when `sqliteDates`
    /// (SQLite keeps timestamps as text; the bound window parameters are compared as dates).
    static func windowQuery(_ query: String, sqliteDates: Bool) -> String {
        guard sqliteDates else { return query }
        return query.replacingOccurrences(
            of: "starts >= :window_start AND starts < :window_end",
            with: "datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)")
    }

    static let chicago = TimeZone(identifier: "America/Chicago")!

    static func context(
        _ connectionString: String, connection: [String: String] = [:], job: [String: String] = [:],
        side: ConnectorContext.Side = .from, zone: TimeZone = chicago
    ) -> ConnectorContext {
        var conn: [String: ConfigValue] = ["connection_string": .string(connectionString)]
        for (k, v) in connection { conn[k] = Int(v).map(ConfigValue.integer) ?? .string(v) }
        var jobTable: [String: ConfigValue] = [:]
        for (k, v) in job { jobTable[k] = .string(v) }
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory())
        return ConnectorContext(
            profile: "test", job: "appointments", side: side, connectionName: "db",
            connection: ConfigTable(conn), jobSettings: ConfigTable(jobTable), timeZone: zone,
            stateDirectory: tmp, profileDirectory: tmp, logger: Logger(label: "odbc-test"))
    }

    static func connector(
        _ connectionString: String, connection: [String: String] = [:], job: [String: String] = [:],
        zone: TimeZone = chicago
    ) throws -> ODBCConnector {
        let ctx = context(connectionString, connection: connection, job: job, zone: zone)
        return try ODBCModule.make(ctx) as! ODBCConnector
    }

    /// A fresh SQLite file in a temporary directory.
    static func sqliteFile() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-odbc-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("clinic.db").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        return path
    }

    static func date(_ iso: String) -> Date {
        guard case .instant(let d)? = TemporalText(iso) else { fatalError("bad test date \(iso)") }
        return d
    }

    /// Reads every page of `window`: whole, or in chunks of `chunkDays` read one after the other
    /// as the engine's `SideReader` reads them.
    static func readAll(_ c: ODBCConnector, _ window: TimeWindow, since: Date? = nil, chunkDays: Int? = nil) throws
        -> (items: [SourceItem], problems: [ItemProblem], pages: Int)
    {
        var out: (items: [SourceItem], problems: [ItemProblem], pages: Int) = ([], [], 0)
        for chunk in chunkDays.map(window.chunks(days:)) ?? [window] {
            let l = try c.readListing(ReadRequest(window: chunk, since: since))
            out.items += l.items
            out.problems += l.problems
            out.pages += l.pages
        }
        return out
    }
}

/// Runs setup and inspection SQL on a database (test-only; values in tests are literals).
final class SQL {
    let environment: ODBCEnvironment
    let connection: ODBCConnection

    init(_ connectionString: String) throws {
        environment = try ODBCEnvironment()
        connection = try ODBCConnection(environment: environment)
        try connection.connect(connectionString, loginTimeout: 10)
    }

    func exec(_ statements: String...) throws {
        for sql in statements {
            let stmt = try connection.statement(queryTimeout: 30)
            try stmt.prepare(sql)
            try stmt.execute()
            try connection.endTransaction(commit: true)
        }
    }

    /// Runs one statement with bound parameters.
    func exec(_ sql: String, _ values: [ODBCParameter]) throws {
        let stmt = try connection.statement(queryTimeout: 30)
        try stmt.prepare(sql)
        try stmt.bind(values)
        try stmt.execute()
        try connection.endTransaction(commit: true)
    }

    /// Runs one statement once per parameter row, in one transaction.
    func exec(_ sql: String, rows: [[ODBCParameter]]) throws {
        let stmt = try connection.statement(queryTimeout: 120)
        try stmt.prepare(sql)
        for values in rows {
            try stmt.bind(values)
            try stmt.execute()
        }
        try connection.endTransaction(commit: true)
    }

    /// Maps every row of `query` (standard column names) as the connector would, by key.
    func events(_ query: String, zone: TimeZone = Fixture.chicago) throws -> [String: Event] {
        let stmt = try connection.statement(queryTimeout: 30)
        try stmt.prepare(query)
        try stmt.execute()
        let reader = try SingleRowReader(statement: stmt)
        let mapper = RowMapper(columns: reader.columns.map(\.name), resolver: ZoneResolver(zone))
        var out: [String: Event] = [:]
        while try reader.fetch() > 0 {
            switch mapper.map(cells: CellRow(reader.cellReader, row: 0), locator: "row") {
            case .item(let key, let event): out[key] = event
            case .problem(let p): throw MappingProblem(problem: p)
            case .outside: continue
            }
        }
        stmt.closeCursor()
        try connection.endTransaction(commit: true)
        return out
    }

    /// All rows of `sql`, every value as text (nil for NULL).
    func rows(_ sql: String) throws -> [[String?]] {
        let stmt = try connection.statement(queryTimeout: 30)
        try stmt.prepare(sql)
        try stmt.execute()
        let reader = try SingleRowReader(statement: stmt)
        var out: [[String?]] = []
        while case let n = try reader.fetch(), n > 0 {
            for r in 0..<n {
                out.append(
                    (0..<reader.columns.count).map { c in
                        switch reader.value(row: r, column: c) {
                        case .text(let s): return s
                        case .timestamp(let t): return t.description
                        case .date(let d): return d.description
                        case .time(let t): return t.description
                        case .null: return nil
                        case .invalidText: return "<invalid>"
                        case .truncated: return "<truncated>"
                        case .tooLong: return "<too long>"
                        }
                    })
            }
        }
        stmt.closeCursor()
        try connection.endTransaction(commit: true)
        return out
    }
}

/// The port of a test service from `ALMANAC_TEST_<prefix>_PORT`. Missing → nil, and a recorded
/// failure when `ALMANAC_REQUIRE_SERVICES=1`.
func servicePort(_ prefix: String, start: String) -> String? {
    let env = ProcessInfo.processInfo.environment
    guard let port = env["ALMANAC_TEST_\(prefix)_PORT"] else {
        if env["ALMANAC_REQUIRE_SERVICES"] == "1" {
            Issue.record("ALMANAC_REQUIRE_SERVICES=1 but ALMANAC_TEST_\(prefix)_PORT is not set: \(start)")
        }
        return nil
    }
    return port
}

/// The test PostgreSQL from `ALMANAC_TEST_PG_*`. Missing → the test returns early, or records a
/// failure when `ALMANAC_REQUIRE_SERVICES=1`.
enum PG {
    static var env: [String: String] { ProcessInfo.processInfo.environment }

    static func connectionString(password: Bool = true, user: String? = nil, database: String? = nil) -> String? {
        guard let port = servicePort("PG", start: "start the test PostgreSQL") else { return nil }
        let host = env["ALMANAC_TEST_PG_HOST"] ?? "127.0.0.1"
        let db = database ?? env["ALMANAC_TEST_PG_DB"] ?? "almanac_test"
        let u = user ?? env["ALMANAC_TEST_PG_USER"] ?? "postgres"
        var cs = "Driver=PostgreSQL Unicode;Server=\(host);Port=\(port);Database=\(db);Uid=\(u);"
        if password { cs = ODBCConnectionString.appending("Pwd", self.password, to: cs) }
        return cs
    }

    static var password: String { env["ALMANAC_TEST_PG_PASSWORD"] ?? "" }
}

/// The test MariaDB from `ALMANAC_TEST_MARIADB_*` (`contrib/dev/mariadb`), through MariaDB
/// Connector/ODBC. Missing → nil, or a recorded failure when `ALMANAC_REQUIRE_SERVICES=1`.
enum MariaDB {
    static var env: [String: String] { ProcessInfo.processInfo.environment }

    static func connectionString() -> String? {
        guard let port = servicePort("MARIADB", start: "start it with contrib/dev/mariadb start DIR") else {
            return nil
        }
        let host = env["ALMANAC_TEST_MARIADB_HOST"] ?? "127.0.0.1"
        let db = env["ALMANAC_TEST_MARIADB_DB"] ?? "almanac_test"
        let u = env["ALMANAC_TEST_MARIADB_USER"] ?? "almanac"
        let cs = "Driver=MariaDB Unicode;Server=\(host);Port=\(port);Database=\(db);Uid=\(u);CHARSET=utf8mb4;"
        return ODBCConnectionString.appending("Pwd", env["ALMANAC_TEST_MARIADB_PASSWORD"] ?? "", to: cs)
    }
}

/// A row `events` could not map.
struct MappingProblem: Error {
    var problem: ItemProblem
}
