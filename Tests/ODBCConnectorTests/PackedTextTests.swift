import AlmanacCore
import AlmanacTestKit
import Foundation
import RowMapping
import Testing

@testable import ODBCConnector

/// The block cursor hands the mapper each text value packed by the fetching thread
/// (`PackedText`): seeded random rows (NULLs, non-ASCII text, values longer than the first
/// buffers, which widens them and reads the chunk again) read whole and exactly, over rowsets of
/// 1, 7 and 1,000 rows.
@Suite(.timeLimit(.minutes(10)), .serialized) struct PackedTextTests {
    static let query = """
        SELECT id AS external_id, title, content, room AS location, starts AS start_time FROM packed
        WHERE starts >= :window_start AND starts < :window_end
        """

    static func text(_ r: inout SeededRandom, maxLength: Int) -> String {
        let pieces = ["a", "B", "7", " ", "é", "€", "🦷", "Zoë", "-"]
        var s = ""
        for _ in 0..<Int.random(in: 1...maxLength, using: &r) { s += pieces.randomElement(using: &r)! }
        return s
    }

    @Test func sqliteRandomRows() throws {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try sql.exec(
            "DROP TABLE IF EXISTS packed",
            "CREATE TABLE packed (id INTEGER, title TEXT, content TEXT, room TEXT, starts TIMESTAMP)")
        var r = SeededRandom(state: 256)
        var want: [String: (String?, String?, String?)] = [:]
        var rows: [[ODBCParameter]] = []
        for i in 1...300 {
            let title = Bool.random(using: &r) ? Self.text(&r, maxLength: 12) : nil
            let content = Int.random(in: 0..<3, using: &r) == 0 ? nil : Self.text(&r, maxLength: 90)
            let room = i % 97 == 0 ? Self.text(&r, maxLength: 400) : Self.text(&r, maxLength: 3)
            let day = 1 + i % 20
            want["\(i)"] = (title, content, room)
            rows.append([
                .integer(i), .text(title), .text(content), .text(room),
                .timestamp(WallClock(date: CivilDate(year: 2026, month: 3, day: day), hour: 10, minute: 0, second: 0)),
            ])
        }
        try sql.exec("INSERT INTO packed VALUES (?, ?, ?, ?, ?)", rows: rows)
        let query = Fixture.windowQuery(Self.query, sqliteDates: true)
        for fetchRows in ["1", "7", "1000"] {
            let c = try Fixture.connector(
                "Driver=SQLite3;Database=\(path);", connection: ["fetch_rows": fetchRows], job: ["read_query": query])
            let read = try Fixture.readAll(c, SQLiteSourceTests.march, chunkDays: 7)
            #expect(read.problems == [], "fetch_rows \(fetchRows)")
            #expect(read.items.count == 300, "fetch_rows \(fetchRows)")
            for item in read.items {
                let w = try #require(want[item.key])
                let got = (item.event.title, item.event.description, item.event.location)
                if got != w {
                    Issue.record("row \(item.key), fetch_rows \(fetchRows): \(got), want \(w)")
                    return
                }
            }
        }
    }
}
