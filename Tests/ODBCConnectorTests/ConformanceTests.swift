import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import ODBCConnector

/// The connector conformance suite of `AlmanacTestKit`, over the SQLite3 driver and over
/// PostgreSQL through psqlODBC, with the connector as source and sink of one table.
enum ConformanceTable {
    static func readQuery(_ windowFilter: String) -> String {
        """
        SELECT ext_id AS external_id, title, content, location, starts AS start_time, ends AS end_time, status,
               p_name AS participant_0_name, p_email AS participant_0_email, p_mobile AS participant_0_phone_mobile,
               appt_type
        FROM conformance_appts \(windowFilter)
        """
    }

    static let statements = [
        "insert": """
        INSERT INTO conformance_appts (ext_id, title, content, location, starts, ends, status, p_name, p_email, p_mobile, appt_type)
        VALUES (:external_id, :title, :content, :location, :start_time, :end_time, :status, :participant_0_name,
                :participant_0_email, :participant_0_phone_mobile, :custom.appt_type)
        """,
        "update": """
        UPDATE conformance_appts SET title = :title, content = :content, location = :location, starts = :start_time,
          ends = :end_time, status = :status, p_name = :participant_0_name, p_email = :participant_0_email,
          p_mobile = :participant_0_phone_mobile, appt_type = :custom.appt_type
        WHERE ext_id = :external_id
        """,
        "delete": "DELETE FROM conformance_appts WHERE ext_id = :external_id",
        "on_confirmed": "UPDATE conformance_appts SET confirmed = 1 WHERE ext_id = :external_id",
        "on_cancelled": "UPDATE conformance_appts SET cancelled = 1 WHERE ext_id = :external_id",
    ]

    /// A fixture over an empty `conformance_appts` table reachable through `cs`.
    static func fixture(_ cs: String, windowFilter: String, intType: String) throws -> ConformanceFixture {
        let sql = try SQL(cs)
        try sql.exec(
            "DROP TABLE IF EXISTS conformance_appts",
            """
            CREATE TABLE conformance_appts (ext_id varchar(100) PRIMARY KEY, title varchar(200), content varchar(2000),
              location varchar(200), starts timestamp NOT NULL, ends timestamp, status varchar(20), p_name varchar(200),
              p_email varchar(200), p_mobile varchar(40), appt_type varchar(40),
              confirmed \(intType) NOT NULL DEFAULT 0, cancelled \(intType) NOT NULL DEFAULT 0)
            """)
        var job = statements
        job["read_query"] = readQuery(windowFilter)
        let connector = try Fixture.connector(cs, job: job)
        let resolver = ZoneResolver(Fixture.chicago)
        let insert = NamedStatement(statements["insert"]!)
        nonisolated(unsafe) var seeded = 0  // the fixture's closures run on the test's thread only
        return ConformanceFixture(
            connector: connector, window: ConnectorConformance.defaultWindow,
            seed: { events in
                try events.map { e in
                    seeded += 1
                    let key = "seed-\(seeded)"
                    try sql.exec(insert.sql, insert.names.map { connector.parameter($0, key: key, event: e) })
                    return key
                }
            },
            stored: { try sql.events(readQuery(""), zone: resolver.timeZone) },
            deterministicCreates: false, versions: false)
    }
}

@Suite struct SQLiteConformanceTests {
    @Test(arguments: ConnectorConformance.checks)
    func conformance(_ check: ConformanceCheck) throws {
        let path = Fixture.sqliteFile()
        try check.run(
            ConformanceTable.fixture(
                "Driver=SQLite3;Database=\(path);",
                windowFilter:
                    "WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)",
                intType: "integer"))
    }
}

@Suite(.serialized, .timeLimit(.minutes(10))) struct PostgresConformanceTests {
    @Test(arguments: ConnectorConformance.checks)
    func conformance(_ check: ConformanceCheck) throws {
        guard let cs = PG.connectionString() else { return }
        try check.run(
            ConformanceTable.fixture(
                cs, windowFilter: "WHERE starts >= :window_start AND starts < :window_end", intType: "integer"))
    }
}
