import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// Non-ASCII text read exactly whichever way it travels from the driver: as UTF-8 bytes
/// (`SQL_C_CHAR`, chosen in a UTF-8 locale) or as UTF-16 (`SQL_C_WCHAR`, chosen otherwise).
@Suite(.serialized) struct TextTransferTests {
    /// Values of up to 60 characters are also stored in a varchar(60) column, whose buffer must
    /// hold 60 characters however many bytes or units they take; the long one (about 9,600 UTF-8
    /// bytes) overflows the block cursor and is read again row by row with `SQLGetData`.
    static let values = [
        "Zoë Ångström", "😀 emoji 🎉 and 👩‍👩‍👧", "€ 日本語のテキスト", "plain ascii", "",
        // 54 and 40 characters: 84 UTF-8 bytes, 80 UTF-16 units, more than the column's 60.
        String(repeating: "Ångström😀", count: 6), String(repeating: "😀", count: 40),
        String(repeating: "Zoë Ångström 😀 ", count: 400),
    ]

    static let query = """
        SELECT id AS external_id, v AS title, t AS content, starts AS start_time FROM texts
        WHERE starts >= :window_start AND starts < :window_end ORDER BY id
        """

    /// Fills `texts`: row i holds values[i] in `t`, and in `v` when it fits varchar(60).
    func fill(_ sql: SQL, create: String) throws {
        try sql.exec("DROP TABLE IF EXISTS texts", create)
        for (i, value) in Self.values.enumerated() {
            try sql.exec(
                "INSERT INTO texts VALUES (?, ?, ?, ?)",
                [
                    .integer(i), value.count <= 60 ? .text(value) : .text("long"), .text(value),
                    .text("2026-03-\(i < 9 ? "0" : "")\(i + 1) 10:00:00"),
                ])
        }
    }

    /// The `t` column of every row up to the first rowset that overflowed; `v` checked on the way.
    func texts(_ reader: any RowSource, _ transfer: ODBCTextTransfer) throws -> [String] {
        var got: [String] = []
        while case let n = try reader.fetch(), n > 0, !reader.overflowed {
            for row in 0..<n {
                guard case .text(let s) = reader.value(row: row, column: 2) else {
                    Issue.record("row \(got.count): \(reader.value(row: row, column: 2)) (\(transfer))")
                    got.append("?")
                    continue
                }
                got.append(s)
                if s.count <= 60 {
                    let short = reader.value(row: row, column: 1)
                    #expect({ if case .text(s) = short { true } else { false } }(), "\(short) (\(transfer))")
                }
            }
        }
        return got
    }

    /// Reads the table through a bare `ResultReader` with each transfer and through the
    /// connector in a UTF-8 and in an ASCII ("C") locale of the calling thread.
    func check(_ cs: String, rowArraySize: Int, wide: Bool, sqliteDates: Bool = false) throws {
        let sql = try SQL(cs)
        for transfer in [ODBCTextTransfer.utf8, .utf16] {
            let stmt = try sql.connection.statement(queryTimeout: 30)
            try stmt.prepare("SELECT id, v, t FROM texts ORDER BY id")
            try stmt.execute()
            let reader = try ResultReader(statement: stmt, rowArraySize: rowArraySize, text: transfer)
            // SQLite declares narrow text columns, psqlODBC wide ones (bound as UTF-8 or UTF-16).
            for binding in reader.bindings.dropFirst() {
                switch (binding, transfer) {
                case (.narrow, .utf8): break
                case (.wide, .utf16) where wide: break
                case (.narrow, .utf16) where !wide: break
                default: Issue.record("text bound as \(binding) with the \(transfer) transfer")
                }
            }
            var got = try texts(reader, transfer)
            if reader.overflowed {
                // The long value does not fit the block cursor: read the result again, row by row.
                #expect(got.count < Self.values.count)
                reader.finish()
                stmt.closeCursor()
                try stmt.execute()
                got = try texts(try SingleRowReader(statement: stmt, text: transfer), transfer)
            }
            #expect(got == Self.values, "\(transfer)")
            reader.finish()
            stmt.closeCursor()
            try sql.connection.endTransaction(commit: true)
        }

        for locale in ["C.UTF-8", "C"] {
            guard let loc = newlocale(LC_CTYPE_MASK, locale, nil) else {
                Issue.record("locale \(locale) is not installed")
                continue
            }
            let previous = uselocale(loc)
            defer {
                uselocale(previous)
                freelocale(loc)
            }
            #expect(ODBCTextTransfer.forCurrentLocale() == (locale == "C" ? .utf16 : .utf8))
            let query = Fixture.windowQuery(Self.query, sqliteDates: sqliteDates)
            let c = try Fixture.connector(
                cs, connection: ["fetch_rows": String(rowArraySize)], job: ["read_query": query])
            let r = try Fixture.readAll(c, SQLiteSourceTests.march)
            #expect(r.problems == [], "\(locale)")
            let contents = r.items.sorted { Int($0.key)! < Int($1.key)! }.map { $0.event.description ?? "" }
            #expect(contents == Self.values, "\(locale)")
            #expect(r.items.first { $0.key == "0" }?.event.title == "Zoë Ångström", "\(locale)")
        }
    }

    @Test func sqliteTextIsExactInBothTransfers() throws {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try fill(sql, create: "CREATE TABLE texts (id INTEGER, v VARCHAR(60), t TEXT, starts TIMESTAMP)")
        try check("Driver=SQLite3;Database=\(path);", rowArraySize: 1, wide: false, sqliteDates: true)
    }

    @Test func postgresTextIsExactInBothTransfers() throws {
        guard let cs = PG.connectionString() else { return }
        let sql = try SQL(cs)
        try fill(sql, create: "CREATE TABLE texts (id int, v varchar(60), t text, starts timestamp)")
        try check(cs, rowArraySize: 4, wide: true)
        try check(cs + "UseDeclareFetch=1;Fetch=2;", rowArraySize: 4, wide: true)
    }
}
