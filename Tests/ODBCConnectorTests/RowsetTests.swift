import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// Block cursors across many rowsets, with the fetch pipeline and long values in between.
@Suite(.serialized) struct RowsetTests {
    static let query = """
        SELECT id AS external_id, title, content, starts AS start_time FROM many
        WHERE starts >= :window_start AND starts < :window_end ORDER BY id
        """

    func check(_ cs: String, setUp: [String], sqliteDates: Bool) throws {
        let sql = try SQL(cs)
        try sql.exec(setUp[0], setUp[1])
        for i in 1...200 {
            let content = i % 37 == 0 ? String(repeating: "long \(i) ", count: 600) : "short \(i)"
            let day = 1 + i % 20
            try sql.exec(
                "INSERT INTO many VALUES (\(i), 'T\(i) Zoë', '\(content)', '2026-03-\(day < 10 ? "0" : "")\(day) 10:00:00')"
            )
        }
        let query = Fixture.windowQuery(Self.query, sqliteDates: sqliteDates)
        for rows in ["1", "7", "1000"] {
            let c = try Fixture.connector(
                cs, connection: ["fetch_rows": rows], job: ["read_query": query])
            let r = try Fixture.readAll(c, SQLiteSourceTests.march, chunkDays: 7)
            #expect(r.problems == [], "fetch_rows \(rows)")
            #expect(r.items.count == 200, "fetch_rows \(rows)")
            #expect(Set(r.items.map(\.key)) == Set((1...200).map(String.init)), "fetch_rows \(rows)")
            for item in r.items {
                let i = Int(item.key)!
                #expect(item.event.title == "T\(i) Zoë")
                let want = i % 37 == 0 ? String(repeating: "long \(i) ", count: 600) : "short \(i)"
                #expect(item.event.description == want, "row \(i), fetch_rows \(rows)")
            }
        }
    }

    @Test func sqliteManyRowsets() throws {
        let path = Fixture.sqliteFile()
        try check(
            "Driver=SQLite3;Database=\(path);",
            setUp: [
                "DROP TABLE IF EXISTS many",
                "CREATE TABLE many (id INTEGER, title TEXT, content TEXT, starts TIMESTAMP)",
            ],
            sqliteDates: true)
    }

    @Test func postgresManyRowsets() throws {
        guard let cs = PG.connectionString() else { return }
        try check(
            cs,
            setUp: [
                "DROP TABLE IF EXISTS many",
                "CREATE TABLE many (id int, title varchar(40), content text, starts timestamp)",
            ],
            sqliteDates: false)
        try check(
            cs + "UseDeclareFetch=1;Fetch=5;",
            setUp: [
                "DROP TABLE IF EXISTS many",
                "CREATE TABLE many (id int, title varchar(40), content text, starts timestamp)",
            ],
            sqliteDates: false)
    }
}
