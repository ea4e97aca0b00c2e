import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// The connector as a source over the SQLite3 ODBC driver.
@Suite struct SQLiteSourceTests {
    static let schema = """
        CREATE TABLE appointments (id TEXT, subject TEXT, note TEXT, starts TIMESTAMP, ends TIMESTAMP,
          whole_day INTEGER, state TEXT, client TEXT, mobile TEXT, home TEXT, email TEXT, kind TEXT,
          price NUMERIC, changed TIMESTAMP, confirmed INTEGER DEFAULT 0, cancelled INTEGER DEFAULT 0)
        """
    static let readQuery = """
        SELECT id AS external_id, subject AS title, note AS content, starts AS start_time, ends AS end_time,
               whole_day AS all_day, state AS status, client AS participant_0_name,
               mobile AS participant_0_phone_mobile, home AS participant_0_phone_home,
               email AS participant_0_email, kind AS appt_type, price
        FROM appointments WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end)
        ORDER BY starts
        """

    /// March 2026 in Chicago: 00:00 CST on 03-01 is 06:00Z.
    static let march = TimeWindow(
        start: Fixture.date("2026-03-01T06:00:00Z"), end: Fixture.date("2026-03-22T05:00:00Z"))

    func database() throws -> (path: String, sql: SQL) {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try sql.exec(Self.schema)
        return (path, sql)
    }

    @Test func mapsStandardAndCustomColumns() throws {
        let (path, sql) = try database()
        try sql.exec(
            """
            INSERT INTO appointments (id, subject, note, starts, ends, whole_day, state, client, mobile, home, email, kind, price)
            VALUES ('a1', 'Checkup', printf('%.*c', 10000, 'n'), '2026-03-02 09:00:00', '2026-03-02 09:30:00', 0,
                    'Confirmed', 'Zoë Ångström 日本', '+1 555 0100', '555 0101', 'zoe@example.com', 'checkup', 120.5)
            """,
            "INSERT INTO appointments (id, subject, starts, ends, whole_day, state) VALUES ('a2', 'Away', '2026-03-03 00:00:00', '2026-03-03 00:00:00', 1, 'tentative')",
            "INSERT INTO appointments (id, subject, starts) VALUES (42, NULL, '2026-03-04 10:00:00')")
        let c = try Fixture.connector(
            "Driver=SQLite3;Database=\(path);", job: ["read_query": Self.readQuery])
        let result = try Fixture.readAll(c, Self.march)
        #expect(result.problems == [])
        #expect(result.items.map(\.key) == ["a1", "a2", "42"])
        let a1 = result.items[0].event
        #expect(a1.title == "Checkup")
        #expect(a1.description?.count == 10_000)
        #expect(a1.start == .instant(Fixture.date("2026-03-02T15:00:00Z"), timeZone: "America/Chicago"))
        #expect(a1.end == .instant(Fixture.date("2026-03-02T15:30:00Z"), timeZone: "America/Chicago"))
        #expect(a1.status == .confirmed)
        #expect(
            a1.participants == [
                Participant(
                    name: "Zoë Ångström 日本", email: "zoe@example.com",
                    phones: [.mobile: "+1 555 0100", .home: "555 0101"])
            ])
        #expect(a1.custom == ["appt_type": "checkup", "price": "120.5"])
        let a2 = result.items[1].event
        #expect(a2.start == .allDay(CivilDate(year: 2026, month: 3, day: 3)))
        #expect(a2.end == .allDay(CivilDate(year: 2026, month: 3, day: 4)))
        #expect(a2.status == .tentative)
        let a3 = result.items[2].event
        #expect(a3.title == nil && a3.end == nil && a3.participants.isEmpty && a3.custom == [:])
        #expect(result.items.allSatisfy { $0.version?.hasPrefix("h:") == true })
    }

    /// The engine reads the window chunk by chunk (`SideReader`, by `chunk_days`); the connector
    /// reads each chunk it is handed, whole, in one page, and hands out no continuation.
    @Test func readsEachChunkItIsHandedWhole() throws {
        let (path, sql) = try database()
        try sql.exec(
            "INSERT INTO appointments (id, starts) VALUES ('w1', '2026-03-02 09:00:00')",
            // 00:00 local on 03-08 is the first instant of the second chunk.
            "INSERT INTO appointments (id, starts) VALUES ('w2', '2026-03-08 00:00:00')",
            // 02:30 on 03-08 falls in the spring gap: read as 03:30 CDT.
            "INSERT INTO appointments (id, starts) VALUES ('w3', '2026-03-08 02:30:00')",
            "INSERT INTO appointments (id, starts) VALUES ('w4', '2026-03-21 23:59:59')",
            "INSERT INTO appointments (id, starts) VALUES ('out', '2026-03-22 00:00:00')")
        let c = try Fixture.connector("Driver=SQLite3;Database=\(path);", job: ["read_query": Self.readQuery])
        let chunks = Self.march.chunks(days: 7)
        let pages = try chunks.map { try c.read(ReadRequest(window: $0)) }
        #expect(pages.count == 3)
        #expect(pages.map(\.coverage) == [.complete(chunks[0]), .complete(chunks[1]), .complete(chunks[2])])
        #expect(pages.map { $0.items.map(\.key) } == [["w1"], ["w2", "w3"], ["w4"]])
        #expect(pages[1].items[1].event.start.date(in: Fixture.chicago) == Fixture.date("2026-03-08T08:30:00Z"))
        #expect(pages.map(\.continuation) == [nil, nil, nil])
        let whole = try c.read(ReadRequest(window: Self.march))
        #expect(whole.coverage == .complete(Self.march) && whole.continuation == nil)
        #expect(whole.items.map(\.key) == ["w1", "w2", "w3", "w4"])
        #expect(throws: AlmanacError.self) { try c.read(ReadRequest(window: Self.march, continuation: "chunk:1")) }
    }

    @Test func badRowsAreReportedAndTheRestIsRead() throws {
        let (path, sql) = try database()
        try sql.exec(
            "CREATE TABLE rows (id TEXT, title TEXT, starts TEXT, ends TEXT, state TEXT)",
            "INSERT INTO rows VALUES ('ok1', 'fine', '2026-03-02 09:00', '2026-03-02 10:00', 'confirmed')",
            "INSERT INTO rows VALUES (NULL, 'no key', '2026-03-02 09:00', NULL, NULL)",
            "INSERT INTO rows VALUES ('nostart', 'x', NULL, NULL, NULL)",
            "INSERT INTO rows VALUES ('backwards', 'x', '2026-03-02 10:00', '2026-03-02 09:00', NULL)",
            "INSERT INTO rows VALUES ('dup', 'first', '2026-03-02 09:00', NULL, NULL)",
            "INSERT INTO rows VALUES ('dup', 'second', '2026-03-02 11:00', NULL, NULL)",
            "INSERT INTO rows VALUES ('baddate', 'x', 'next tuesday', NULL, NULL)",
            "INSERT INTO rows VALUES ('badtext', CAST(X'C328' AS TEXT), '2026-03-02 09:00', NULL, NULL)",
            "INSERT INTO rows VALUES ('badstatus', 'x', '2026-03-02 09:00', NULL, 'no-show')",
            "INSERT INTO rows VALUES ('timeonly', 'x', '2026-03-02 09:00', '2026-03-02 16:00Z', NULL)",
            "INSERT INTO rows VALUES ('ok2', 'fine', '2026-03-03T09:00:00-05:00', NULL, 'cancelled')")
        let query =
            "SELECT id AS external_id, title, starts AS start_time, ends AS end_time, state AS status FROM rows ORDER BY rowid"
        let c = try Fixture.connector("Driver=SQLite3;Database=\(path);", job: ["read_query": query])
        let result = try Fixture.readAll(c, Self.march)
        #expect(result.items.map(\.key) == ["ok1", "dup", "timeonly", "ok2"])
        #expect(result.items[1].event.title == "first")
        #expect(result.items[3].event.start == .instant(Fixture.date("2026-03-03T14:00:00Z"), timeZone: nil))
        #expect(result.items[3].event.status == .cancelled)
        #expect(
            result.problems.map(\.description) == [
                "row 2: external_id: is missing (NULL or empty)",
                "nostart: start_time: is missing (NULL)",
                "backwards: end_time: is before start_time",
                "dup: external_id: row 6: \"dup\" is the external_id of an earlier row already: the first is kept and synced, "
                    + "this one is skipped (an external_id must be unique in what a job reads)",
                "baddate: start_time: \"next tuesday\" is not a date or timestamp (YYYY-MM-DD[ HH:MM[:SS]][offset])",
                "badtext: title: is not valid UTF-8 (check the column's encoding)",
                "badstatus: status: \"no-show\" is not confirmed, tentative or cancelled: map it with CASE in read_query",
            ])
    }

    @Test func versionIsUpdatedColumnOrContentHash() throws {
        let (path, sql) = try database()
        try sql.exec(
            "INSERT INTO appointments (id, subject, starts, changed) VALUES ('v', 'A', '2026-03-02 09:00:00', '2026-02-01 08:00:00')"
        )
        let hashed = try Fixture.connector("Driver=SQLite3;Database=\(path);", job: ["read_query": Self.readQuery])
        let withUpdated = try Fixture.connector(
            "Driver=SQLite3;Database=\(path);",
            job: [
                "read_query":
                    "SELECT id AS external_id, subject AS title, starts AS start_time, changed AS updated FROM appointments"
            ])
        let h1 = try Fixture.readAll(hashed, Self.march).items[0].version
        let u1 = try Fixture.readAll(withUpdated, Self.march).items[0].version
        #expect(u1 == "u:\(Int(Fixture.date("2026-02-01T14:00:00Z").timeIntervalSince1970))")
        #expect(try Fixture.readAll(hashed, Self.march).items[0].version == h1)
        try sql.exec("UPDATE appointments SET subject = 'B'")
        let h2 = try Fixture.readAll(hashed, Self.march).items[0].version
        #expect(h1 != h2 && h2?.hasPrefix("h:") == true)
    }

    @Test func sinceIsBoundAsATimestamp() throws {
        let (path, sql) = try database()
        try sql.exec(
            "INSERT INTO appointments (id, starts, changed) VALUES ('old', '2026-03-02 09:00:00', '2026-02-01 08:00:00')",
            "INSERT INTO appointments (id, starts, changed) VALUES ('new', '2026-03-02 10:00:00', '2026-02-20 08:00:00')"
        )
        let query =
            "SELECT id AS external_id, starts AS start_time FROM appointments WHERE changed >= :since ORDER BY id"
        let c = try Fixture.connector("Driver=SQLite3;Database=\(path);", job: ["read_query": query])
        #expect(try Fixture.readAll(c, Self.march).items.map(\.key) == ["new", "old"])
        #expect(
            try Fixture.readAll(c, Self.march, since: Fixture.date("2026-02-10T00:00:00Z")).items.map(\.key) == ["new"])
    }

    @Test func unknownReadParameterIsAConfigError() {
        #expect(throws: AlmanacError.self) {
            try Fixture.connector(
                "Driver=SQLite3;Database=/tmp/x.db;", job: ["read_query": "SELECT 1 WHERE a = :title"])
        }
    }
}
