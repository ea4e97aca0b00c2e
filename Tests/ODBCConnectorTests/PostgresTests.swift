import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// The connector against a real PostgreSQL through psqlODBC (`PostgreSQL Unicode`), as source
/// and as sink. Skipped without `ALMANAC_TEST_PG_PORT`, failed without it under
/// `ALMANAC_REQUIRE_SERVICES=1`.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PostgresTests {
    static let march = SQLiteSourceTests.march

    @Test func readsTypedColumnsAndWritesBack() throws {
        guard let cs = PG.connectionString() else { return }
        let sql = try SQL(cs)
        try sql.exec(
            "DROP TABLE IF EXISTS odbc_src",
            """
            CREATE TABLE odbc_src (id serial PRIMARY KEY, subject text, note text, visit_date date, visit_time time,
              minutes int, whole_day boolean NOT NULL DEFAULT false, state varchar(20), client varchar(80),
              mobile varchar(30), kind text, price numeric(8,2), changed timestamptz,
              confirmed boolean NOT NULL DEFAULT false, cancelled boolean NOT NULL DEFAULT false)
            """,
            """
            INSERT INTO odbc_src (subject, note, visit_date, visit_time, minutes, state, client, mobile, kind, price, changed)
            VALUES ('Checkup', repeat('n', 9000), '2026-03-02', '09:00', 30, 'confirmed', 'Zoë Ångström 日本', '+1 555 0100',
                    'checkup', 120.50, '2026-02-01 08:00:00+00'),
                   ('Away', NULL, '2026-03-03', NULL, NULL, 'tentative', NULL, NULL, NULL, NULL, '2026-02-02 08:00:00+00'),
                   ('Gap', NULL, '2026-03-08', '02:30', 15, NULL, NULL, NULL, NULL, NULL, NULL),
                   ('Late', NULL, '2026-04-30', '09:00', 15, NULL, NULL, NULL, NULL, NULL, NULL)
            """,
            "UPDATE odbc_src SET whole_day = true WHERE subject = 'Away'")
        // Separate date and time columns combined in the query; timestamptz as text keeps its offset.
        let query = """
            SELECT id AS external_id, subject AS title, note AS content,
                   CASE WHEN whole_day THEN visit_date::timestamp ELSE visit_date + visit_time END AS start_time,
                   visit_date + visit_time + make_interval(mins => minutes) AS end_time,
                   whole_day AS all_day, state AS status, client AS participant_0_name,
                   mobile AS participant_0_phone_mobile, kind AS appt_type, price, changed::text AS updated
            FROM odbc_src
            WHERE visit_date + coalesce(visit_time, '00:00') >= :window_start
              AND visit_date + coalesce(visit_time, '00:00') < :window_end
            ORDER BY id
            """
        let c = try Fixture.connector(
            cs,
            job: [
                "read_query": query,
                "update": "UPDATE odbc_src SET subject = :title, state = :status WHERE id = :external_id",
                "on_confirmed": "UPDATE odbc_src SET confirmed = true WHERE id = :external_id",
                "on_cancelled": "UPDATE odbc_src SET cancelled = true, whole_day = :all_day WHERE id = :external_id",
            ])
        let result = try Fixture.readAll(c, Self.march, chunkDays: 7)
        #expect(result.pages == 3)
        #expect(result.problems == [])
        #expect(result.items.map(\.event.title) == ["Checkup", "Away", "Gap"])
        let checkup = result.items[0]
        #expect(checkup.key == "1")
        #expect(checkup.version == "u:\(Int(Fixture.date("2026-02-01T08:00:00Z").timeIntervalSince1970))")
        #expect(checkup.event.description?.count == 9_000)
        #expect(checkup.event.start == .instant(Fixture.date("2026-03-02T15:00:00Z"), timeZone: "America/Chicago"))
        #expect(checkup.event.end == .instant(Fixture.date("2026-03-02T15:30:00Z"), timeZone: "America/Chicago"))
        #expect(checkup.event.participants == [Participant(name: "Zoë Ångström 日本", phones: [.mobile: "+1 555 0100"])])
        #expect(checkup.event.custom == ["appt_type": "checkup", "price": "120.50"])
        #expect(result.items[1].event.start == .allDay(CivilDate(year: 2026, month: 3, day: 3)))
        #expect(result.items[1].event.status == .tentative)
        #expect(result.items[2].event.start.date(in: Fixture.chicago) == Fixture.date("2026-03-08T08:30:00Z"))

        var e = checkup.event
        e.title = "Checkup (moved)"
        e.status = .cancelled
        let outcomes = try c.write([
            .update(key: "1", ifVersion: checkup.version, event: e),
            .confirm(key: "2", event: result.items[1].event),
            .cancel(key: "3", event: result.items[2].event),
            .confirm(key: "999", event: e),
        ])
        #expect(
            outcomes == [
                .written(key: "1", version: nil), .written(key: "2", version: nil),
                .written(key: "3", version: nil), .gone,
            ])
        #expect(
            try sql.rows("SELECT id, subject, state, confirmed, cancelled, whole_day FROM odbc_src ORDER BY id") == [
                ["1", "Checkup (moved)", "cancelled", "0", "0", "0"],
                ["2", "Away", "tentative", "1", "0", "1"],
                ["3", "Gap", nil, "0", "1", "0"],
                ["4", "Late", nil, "0", "0", "0"],
            ])
    }

    @Test func sinkWithInjectionAttempt() throws {
        guard let cs = PG.connectionString() else { return }
        let sql = try SQL(cs)
        try sql.exec(
            "DROP TABLE IF EXISTS appointments",
            """
            CREATE TABLE appointments (ext_id text PRIMARY KEY, subject text NOT NULL, starts timestamp NOT NULL,
              ends timestamp, all_day boolean NOT NULL, status text NOT NULL, who text, kind text)
            """)
        let c = try Fixture.connector(
            cs,
            job: [
                "read_query": """
                SELECT ext_id AS external_id, subject AS title, starts AS start_time, ends AS end_time, all_day,
                       status, who AS participant_0_name, kind FROM appointments
                WHERE starts >= :window_start AND starts < :window_end
                """,
                "insert": """
                INSERT INTO appointments (ext_id, subject, starts, ends, all_day, status, who, kind)
                VALUES (:external_id, :title, :start_time, :end_time, :all_day, :status, :participant_0_name, :custom.kind)
                """,
                "update":
                    "UPDATE appointments SET subject = :title, status = :status, kind = :kind WHERE ext_id = :external_id",
                "delete": "DELETE FROM appointments WHERE ext_id = :external_id",
            ])
        let id = String(repeating: "ab", count: 32)
        var e = SQLiteSinkTests.event("Cleaning")
        e.custom = ["kind": "hygiene"]
        #expect(try c.write([.create(id: id, event: e)]) == [.written(key: id, version: nil)])
        let evil = "'; DROP TABLE appointments; --"
        e.title = evil
        e.custom["kind"] = "x'); DELETE FROM appointments; --"
        #expect(try c.write([.update(key: id, ifVersion: nil, event: e)]) == [.written(key: id, version: nil)])
        #expect(
            try sql.rows("SELECT ext_id, subject, starts, all_day, status, who, kind FROM appointments") == [
                [id, evil, "2026-03-05 10:00:00", "0", "confirmed", "Ana", "x'); DELETE FROM appointments; --"]
            ])
        let back = try Fixture.readAll(c, Self.march)
        #expect(back.items.map(\.key) == [id])
        #expect(back.items.first?.event.title == evil)
        #expect(
            back.items.first?.event.start == .instant(Fixture.date("2026-03-05T16:00:00Z"), timeZone: "America/Chicago")
        )
        var allDay = e
        allDay.start = .allDay(CivilDate(year: 2026, month: 3, day: 6))
        allDay.end = .allDay(CivilDate(year: 2026, month: 3, day: 7))
        #expect(
            try c.write([.create(id: "day", event: allDay), .delete(key: id, ifVersion: nil)]) == [
                .written(key: "day", version: nil), .written(key: id, version: nil),
            ])
        #expect(
            try sql.rows("SELECT ext_id, starts, ends, all_day FROM appointments") == [
                ["day", "2026-03-06 00:00:00", "2026-03-07 00:00:00", "1"]
            ])
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() throws {
        guard let cs = PG.connectionString() else { return }
        let sql = try SQL(cs)
        try sql.exec(
            "DROP TABLE IF EXISTS odbc_reconnect_t", "CREATE TABLE odbc_reconnect_t (id int, starts timestamp)",
            "INSERT INTO odbc_reconnect_t VALUES (1, '2026-03-02 09:00')")
        // psqlODBC runs ConnSettings at every (re)connect: it names the connector's sessions.
        let c = try Fixture.connector(
            cs + "ConnSettings={SET application_name = 'odbc_reconnect_test'};",
            job: [
                "read_query":
                    "SELECT id AS external_id, starts AS start_time FROM odbc_reconnect_t WHERE starts >= :window_start"
            ])
        #expect(try Fixture.readAll(c, Self.march).items.count == 1)
        let killed = try sql.rows(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'odbc_reconnect_test'
            """)
        #expect(killed == [["1"]])
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try Fixture.readAll(c, Self.march).items.map(\.key) == ["1"])
    }

    @Test func queryTimeoutIsReported() throws {
        guard let cs = PG.connectionString() else { return }
        let c = try Fixture.connector(
            cs, connection: ["query_timeout": "1s"],
            job: [
                "read_query":
                    "SELECT 1 AS external_id, now()::timestamp AS start_time FROM pg_sleep(5) WHERE now() > :window_start"
            ])
        let started = Date()
        do {
            _ = try Fixture.readAll(c, Self.march)
            Issue.record("expected a timeout")
        } catch let e as AlmanacError {
            #expect(e.code.rawValue == "odbc.timeout")
            #expect(e.message.hasPrefix("connection \"db\": read_query for ["))
            #expect(e.message.hasSuffix(") did not finish within query_timeout (1s)"))
        }
        #expect(Date().timeIntervalSince(started) < 4)
    }

    /// A password with `;`, `}` and `{` reaches the server intact through `PWD={…}` quoting.
    @Test func passwordWithSpecialCharactersIsQuoted() throws {
        guard let cs = PG.connectionString() else { return }
        let sql = try SQL(cs)
        let secret = "p;w}d{x=1 }}"
        try sql.exec(
            "DROP ROLE IF EXISTS almanac_odbc_quoted",
            "CREATE ROLE almanac_odbc_quoted LOGIN PASSWORD '\(secret)'")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-pw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("pw")
        try (secret + "\n").write(to: file, atomically: true, encoding: .utf8)
        let userCS = PG.connectionString(password: false, user: "almanac_odbc_quoted")!
        let c = try Fixture.connector(
            userCS, connection: ["password_file": file.path],
            job: [
                "read_query": "SELECT 1 AS external_id, now()::timestamp AS start_time WHERE now() > :window_start"
            ])
        let report = c.testConnection()
        #expect(report.ok, "\(report)")
        #expect(!"\(report)".contains(secret))
        try sql.exec("DROP ROLE almanac_odbc_quoted")
    }

    /// `lookup_query` binds the keys as text; PostgreSQL compares them with an integer key.
    @Test func lookupQueryFindsRowsOutsideTheWindow() throws {
        guard let cs = PG.connectionString() else { return }
        let sql = try SQL(cs)
        try sql.exec(
            "DROP TABLE IF EXISTS odbc_lookup",
            "CREATE TABLE odbc_lookup (id serial PRIMARY KEY, subject text, starts timestamp)",
            "INSERT INTO odbc_lookup (subject, starts) VALUES ('In', '2026-03-02 09:00'), ('Later', '2027-06-01 09:00')"
        )
        let c = try Fixture.connector(
            cs,
            job: [
                "read_query":
                    "SELECT id AS external_id, subject AS title, starts AS start_time FROM odbc_lookup "
                    + "WHERE starts >= :window_start AND starts < :window_end",
                "lookup_query":
                    "SELECT id AS external_id, subject AS title, starts AS start_time FROM odbc_lookup WHERE id IN (:keys)",
            ])
        let found = try c.lookup(["1", "2", "99"])
        #expect(found.map(\.key).sorted() == ["1", "2"])
        #expect(found.first { $0.key == "2" }?.event.title == "Later")
    }
}
