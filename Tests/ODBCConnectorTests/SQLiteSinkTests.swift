import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// The connector as a sink over the SQLite3 ODBC driver: write statements, bound parameters.
@Suite struct SQLiteSinkTests {
    static let statements = [
        "read_query": SQLiteSourceTests.readQuery,
        "insert": """
        INSERT INTO appointments (id, subject, starts, ends, state, client, mobile, kind)
        VALUES (:external_id, :title, :start_time, :end_time, :status, :participant_0_name,
                :participant_0_phone, :custom.appt_type)
        """,
        "update":
            "UPDATE appointments SET subject = :title, state = :status, kind = :appt_type, note = :content WHERE id = :external_id",
        "delete": "DELETE FROM appointments WHERE id = :external_id",
        "on_confirmed": "UPDATE appointments SET confirmed = 1 WHERE id = :external_id",
        "on_cancelled": "UPDATE appointments SET cancelled = 1, state = :status WHERE id = :external_id",
    ]

    func setUp(_ statements: [String: String] = statements) throws -> (ODBCConnector, SQL) {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try sql.exec(SQLiteSourceTests.schema)
        let c = try Fixture.connector("Driver=SQLite3;Database=\(path);", job: statements)
        return (c, sql)
    }

    static func event(_ title: String, start: String = "2026-03-05T16:00:00Z") -> Event {
        Event(
            title: title, start: .instant(Fixture.date(start), timeZone: nil),
            end: .instant(Fixture.date(start).addingTimeInterval(1_800), timeZone: nil),
            participants: [Participant(name: "Ana", phones: [.home: "555 0101", .work: "555 0102"])],
            custom: ["appt_type": "cleaning"])
    }

    @Test func createUpdateConfirmCancelDelete() throws {
        let (c, sql) = try setUp()
        #expect(c.capabilities == [.read, .lookup, .write, .delete, .writeBack])
        #expect(
            try c.write([.create(id: "new1", event: Self.event("Cleaning"))]) == [.written(key: "new1", version: nil)])
        // Wall clock in Chicago (CST, UTC-6); the home phone wins over work by the default priority.
        #expect(
            try sql.rows(
                "SELECT id, subject, datetime(starts), datetime(ends), state, client, mobile, kind FROM appointments")
                == [
                    [
                        "new1", "Cleaning", "2026-03-05 10:00:00", "2026-03-05 10:30:00", "confirmed", "Ana",
                        "555 0101", "cleaning",
                    ]
                ])
        var changed = Self.event("Deep cleaning")
        changed.custom["appt_type"] = nil
        changed.description = "bring records"
        let outcomes = try c.write([
            .update(key: "new1", ifVersion: nil, event: changed),
            .update(key: "missing", ifVersion: nil, event: changed),
            .confirm(key: "new1", event: changed),
            .confirm(key: "missing", event: changed),
        ])
        #expect(outcomes == [.written(key: "new1", version: nil), .gone, .written(key: "new1", version: nil), .gone])
        #expect(
            try sql.rows("SELECT subject, kind, note, confirmed, cancelled FROM appointments")
                == [["Deep cleaning", nil, "bring records", "1", "0"]])
        var cancelled = changed
        cancelled.status = .cancelled
        #expect(try c.write([.cancel(key: "new1", event: cancelled)]) == [.written(key: "new1", version: nil)])
        #expect(try sql.rows("SELECT state, cancelled FROM appointments") == [["cancelled", "1"]])
        // The row reads back as it was written.
        let read = try Fixture.readAll(c, SQLiteSourceTests.march)
        #expect(read.items.map(\.key) == ["new1"])
        #expect(
            read.items[0].event.start == .instant(Fixture.date("2026-03-05T16:00:00Z"), timeZone: "America/Chicago"))
        #expect(
            try c.write([.delete(key: "new1", ifVersion: nil), .delete(key: "new1", ifVersion: nil)]) == [
                .written(key: "new1", version: nil), .gone,
            ])
        #expect(try sql.rows("SELECT count(*) FROM appointments") == [["0"]])
    }

    /// Calendar-side text is bound, never spliced: the table survives and the text is stored as is.
    @Test func injectionIsStoredVerbatim() throws {
        let (c, sql) = try setUp()
        _ = try c.write([.create(id: "a1", event: Self.event("x"))])
        let evil = "'; DROP TABLE appointments; --"
        var e = Self.event(evil)
        e.description = "\"); DELETE FROM appointments; /*"
        e.custom["appt_type"] = "Robert'); DROP TABLE appointments;--"
        #expect(try c.write([.update(key: "a1", ifVersion: nil, event: e)]) == [.written(key: "a1", version: nil)])
        #expect(try c.write([.update(key: "a1' OR '1'='1", ifVersion: nil, event: e)]) == [.gone])
        #expect(
            try sql.rows("SELECT id, subject, note, kind FROM appointments")
                == [["a1", evil, "\"); DELETE FROM appointments; /*", "Robert'); DROP TABLE appointments;--"]])
        #expect(try sql.rows("SELECT name FROM sqlite_master WHERE type = 'table'") == [["appointments"]])
    }

    @Test func missingStatementAndNoRowInsertAreFailures() throws {
        let (c, _) = try setUp([
            "read_query": SQLiteSourceTests.readQuery,
            "insert": "INSERT INTO appointments (id) SELECT :external_id WHERE 1 = 0",
            "update": "UPDATE appointments SET subject = :title WHERE id = :external_id",
        ])
        #expect(!c.capabilities.contains(.delete))
        let outcomes = try c.write([.create(id: "n", event: Self.event("a")), .delete(key: "n", ifVersion: nil)])
        #expect(
            outcomes == [
                .failed(retryable: false, reason: "connection \"db\": the insert statement for n affected no row"),
                .failed(
                    retryable: false,
                    reason: "connection \"db\": no delete statement is configured for job \"appointments\""),
            ])
    }

    @Test func statementErrorIsAnOutcomeAndRolledBack() throws {
        let (c, sql) = try setUp([
            "read_query": SQLiteSourceTests.readQuery,
            "insert": "INSERT INTO appointments (id, subject) VALUES (:external_id, :title)",
            "update": "UPDATE no_such_table SET subject = :title WHERE id = :external_id",
        ])
        let outcomes = try c.write([
            .update(key: "x", ifVersion: nil, event: Self.event("a")),
            .create(id: "ok", event: Self.event("fine")),
        ])
        guard case .failed(false, let reason) = outcomes[0] else {
            Issue.record("expected a failure, got \(outcomes[0])")
            return
        }
        #expect(reason.hasPrefix("connection \"db\": the update statement for x failed: "))
        #expect(reason.contains("no such table"))
        #expect(outcomes[1] == .written(key: "ok", version: nil))
        #expect(try sql.rows("SELECT id, subject FROM appointments") == [["ok", "fine"]])
    }
}
