import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// `max_value_bytes`: a value longer than the limit makes its row an item problem naming the
/// column, whichever reader meets it; the other rows are read; a value at the limit is read whole.
@Suite struct MaxValueBytesTests {
    static let query = """
        SELECT id AS external_id, subject AS title, notes AS content, starts AS start_time FROM appointments
        WHERE datetime(starts) >= datetime(:window_start) AND datetime(starts) < datetime(:window_end) ORDER BY id
        """

    /// Rows 1…40; row 10's note has `ten` bytes, row 30's `thirty`, the others are short.
    func database(ten: Int, thirty: Int) throws -> String {
        let path = Fixture.sqliteFile()
        let cs = "Driver=SQLite3;Database=\(path);"
        let sql = try SQL(cs)
        try sql.exec("CREATE TABLE appointments (id INTEGER, subject TEXT, notes TEXT, starts TIMESTAMP)")
        try sql.exec(
            "INSERT INTO appointments VALUES (?, ?, ?, ?)",
            rows: (1...40).map { i in
                let note =
                    i == 10
                    ? String(repeating: "a", count: ten) : i == 30 ? String(repeating: "b", count: thirty) : "n\(i)"
                return [.integer(i), .text("T\(i)"), .text(note), .text("2026-03-0\(2 + i % 7) 10:00:00")]
            })
        return cs
    }

    func read(_ cs: String, maxValueBytes: Int?) throws -> (items: [SourceItem], problems: [ItemProblem]) {
        var connection = ["fetch_rows": "16"]
        if let maxValueBytes { connection["max_value_bytes"] = String(maxValueBytes) }
        let c = try Fixture.connector(cs, connection: connection, job: ["read_query": Self.query])
        let r = try Fixture.readAll(c, SQLiteSourceTests.march)
        return (r.items, r.problems)
    }

    @Test func aLongerValueIsAnItemProblemNamingTheColumn() throws {
        // Row 10 fits the block cursor's buffer but not the limit; row 30 needs the row-by-row read.
        let cs = try database(ten: 3_000, thirty: 50_000)
        let limited = try read(cs, maxValueBytes: 2_048)
        let reason = "is longer than max_value_bytes (2048 bytes): raise max_value_bytes or shorten it in read_query"
        #expect(
            limited.problems == [
                ItemProblem(key: "10", field: "content", reason: reason),
                ItemProblem(key: "30", field: "content", reason: reason),
            ])
        #expect(limited.items.count == 38)
        let whole = try read(cs, maxValueBytes: nil)
        #expect(whole.problems == [])
        #expect(whole.items.first { $0.key == "30" }?.event.description == String(repeating: "b", count: 50_000))
    }

    @Test func theDefaultIsOneMebibyte() throws {
        let cs = try database(ten: 1_048_576, thirty: 1_048_577)
        let r = try read(cs, maxValueBytes: nil)
        #expect(r.items.first { $0.key == "10" }?.event.description?.utf8.count == 1_048_576)
        #expect(r.problems.map(\.key) == ["30"])
        #expect(r.items.count == 39)
    }

    @Test func binaryValuesAreReadWholeAsText() throws {
        // The SQLite3 driver hands TEXT values over as C strings (cut at a NUL, as SQLite's own
        // length() and CLI do); CAST(… AS BLOB) hands the bytes over whole, short or long.
        let path = Fixture.sqliteFile()
        let cs = "Driver=SQLite3;Database=\(path);"
        try SQL(cs).exec(
            "CREATE TABLE appointments (id INTEGER, subject TEXT, notes TEXT, starts TIMESTAMP)",
            "INSERT INTO appointments VALUES (1, 'x', 'ab' || char(0) || 'cd', '2026-03-02 10:00:00')",
            "INSERT INTO appointments VALUES (2, 'y', printf('%.*c', 70000, 'é'), '2026-03-02 11:00:00')",
            "INSERT INTO appointments VALUES (3, 'z', 'short', '2026-03-02 12:00:00')")
        let query = Self.query.replacingOccurrences(of: "notes AS content", with: "CAST(notes AS BLOB) AS content")
        for rows in ["1", "16"] {
            let c = try Fixture.connector(
                cs, connection: ["fetch_rows": rows], job: ["read_query": query])
            let r = try Fixture.readAll(c, SQLiteSourceTests.march)
            #expect(r.problems == [], "fetch_rows \(rows)")
            #expect(
                r.items.map { $0.event.description } == ["ab\u{0}cd", String(repeating: "é", count: 70_000), "short"],
                "fetch_rows \(rows)")
        }
    }
}
