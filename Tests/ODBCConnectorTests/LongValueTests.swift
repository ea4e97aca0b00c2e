import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// The 600-row appointments table with one long note, read through a block cursor: every row
/// arrives, with its own note, whatever the note's length and the rowset size.
@Suite(.serialized) struct LongValueTests {
    static let query = """
        SELECT id AS external_id, subject AS title, notes AS content, starts AS start_time, ends AS end_time
        FROM long_notes WHERE starts >= :window_start AND starts < :window_end ORDER BY id
        """
    static let longRow = 300

    /// Creates the table: 600 rows in one week, row `longRow` with a note of `length` characters.
    static func fill(_ sql: SQL, create: String, length: Int) throws {
        try sql.exec("DROP TABLE IF EXISTS long_notes", create)
        var rows: [[ODBCParameter]] = []
        for i in 1...600 {
            let note = i == longRow ? String(repeating: "n", count: length) : "note \(i)"
            let minute = i % 60
            let hour = 8 + (i / 60) % 10
            let day = 2 + i % 5
            let start = String(format: "2026-03-%02d %02d:%02d:00", day, hour, minute)
            let end = String(format: "2026-03-%02d %02d:%02d:00", day, hour + 1, minute)
            rows.append([.text(String(i)), .text("Visit \(i)"), .text(note), .text(start), .text(end)])
        }
        try sql.exec("INSERT INTO long_notes VALUES (?, ?, ?, ?, ?)", rows: rows)
    }

    /// Reads the table with each rowset size and checks every row and note.
    static func expectAllRows(_ cs: String, length: Int, sqliteDates: Bool, rowsets: [Int]) throws {
        let query = Fixture.windowQuery(Self.query, sqliteDates: sqliteDates)
        for rows in rowsets {
            let c = try Fixture.connector(
                cs, connection: ["fetch_rows": String(rows)], job: ["read_query": query])
            let r = try Fixture.readAll(c, SQLiteSourceTests.march)
            #expect(r.problems == [], "fetch_rows \(rows), note of \(length)")
            #expect(r.items.count == 600, "fetch_rows \(rows), note of \(length)")
            for item in r.items {
                let i = Int(item.key)!
                let want = i == longRow ? String(repeating: "n", count: length) : "note \(i)"
                #expect(item.event.description == want, "row \(i), fetch_rows \(rows), note of \(length)")
                #expect(item.event.title == "Visit \(i)")
            }
        }
    }

    @Test(arguments: [4_096, 4_200, 5_000, 100_000])
    func sqliteLongNote(length: Int) throws {
        let path = Fixture.sqliteFile()
        try Self.check(
            "Driver=SQLite3;Database=\(path);",
            create:
                "CREATE TABLE long_notes (id INTEGER, subject TEXT, notes TEXT, starts TIMESTAMP, ends TIMESTAMP)",
            lengths: [length], sqliteDates: true)
    }

    /// `fill` and `expectAllRows` for each note length.
    static func check(_ cs: String, create: String, lengths: [Int], sqliteDates: Bool) throws {
        for length in lengths {
            try fill(try SQL(cs), create: create, length: length)
            try expectAllRows(cs, length: length, sqliteDates: sqliteDates, rowsets: [7, 256])
        }
    }

    @Test func postgresLongNote() throws {
        guard let cs = PG.connectionString() else { return }
        try Self.check(
            cs,
            create: "CREATE TABLE long_notes (id int, subject text, notes text, starts timestamp, ends timestamp)",
            lengths: [5_000, 100_000], sqliteDates: false)
    }

    @Test func mariadbLongNote() throws {
        guard let cs = MariaDB.connectionString() else { return }
        try Self.check(
            cs,
            create:
                "CREATE TABLE long_notes (id int, subject varchar(100), notes longtext, starts datetime, ends datetime)",
            lengths: [4_200, 5_000, 100_000], sqliteDates: false)
    }
}
