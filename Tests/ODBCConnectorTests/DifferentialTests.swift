import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// The connector against each database's own client: the generated `DifferentialTable` read by
/// the connector (with `fetch_rows` 1, 7, 256 and 1,000) and by `sqlite3` / `psql` / `mariadb`
/// for the same query must give the same rows, every value equal byte for byte.
@Suite(.serialized) struct DifferentialTests {
    static let seed: UInt64 = 20_261_202
    static let rowsets = [1, 7, 256, 1_000]
    static let window = TimeWindow(
        start: Fixture.date("2026-03-01T06:00:00Z"), end: Fixture.date("2026-03-22T05:00:00Z"))

    /// `query` with the window spelled as literals, for a client that cannot bind parameters.
    static func literal(_ query: String) -> String {
        query.replacingOccurrences(of: ":window_start", with: "'\(DifferentialTable.windowStart)'")
            .replacingOccurrences(of: ":window_end", with: "'\(DifferentialTable.windowEnd)'")
    }

    /// The connector's item as the client prints the query's row: times as wall clocks in the
    /// profile's zone, `all_day` as 0/1.
    static func row(_ item: SourceItem) -> [String?] {
        let resolver = ZoneResolver(Fixture.chicago)
        func wall(_ t: EventTime?) -> String? {
            switch t {
            case .instant(let d, _)?: return resolver.wall(d).description
            case .allDay(let d)?: return "\(d) 00:00:00"
            case nil: return nil
            }
        }
        let e = item.event
        let p = e.participants.first
        return [
            item.key, e.title, e.description, e.location, wall(e.start), wall(e.end), e.start.isAllDay ? "1" : "0",
            e.status.rawValue, p?.name, p?.email, p?.response.rawValue, p?.phones[.mobile], e.custom["appt_kind"],
            e.created.map { resolver.wall($0).description }, e.updated.map { resolver.wall($0).description },
        ]
    }

    /// The client's row, with the connector's documented reading of participant fields: an empty
    /// value is no value.
    static func normalized(_ row: [String?]) -> [String?] {
        var r = row
        for i in [8, 9, 11] where r[i] == "" { r[i] = nil }
        return r
    }

    /// Compares the connector's read of `query` with each rowset size to the client's rows.
    func compare(_ cs: String, query: String, client: [[String?]]) throws {
        let expected = Dictionary(uniqueKeysWithValues: client.map { ($0[0] ?? "", Self.normalized($0)) })
        #expect(expected.count > 80, "the client printed \(expected.count) rows")
        for rows in Self.rowsets {
            let c = try Fixture.connector(
                cs, connection: ["fetch_rows": String(rows)], job: ["read_query": query])
            let r = try Fixture.readAll(c, Self.window)
            #expect(r.problems == [], "fetch_rows \(rows)")
            let got = Dictionary(uniqueKeysWithValues: r.items.map { ($0.key, Self.row($0)) })
            #expect(got.keys.sorted() == expected.keys.sorted(), "fetch_rows \(rows)")
            for (key, want) in expected {
                guard let have = got[key] else { continue }
                for (column, (a, b)) in zip(have, want).enumerated() where a != b {
                    Issue.record(
                        "fetch_rows \(rows), row \(key), column \(column): connector \(Self.describe(a)), client \(Self.describe(b))"
                    )
                }
            }
        }
    }

    /// A value short enough for a test message: its length and its ends.
    static func describe(_ s: String?) -> String {
        guard let s else { return "NULL" }
        let bytes = Array(s.utf8)
        if bytes.count <= 80 { return "\(bytes.count) bytes \(s.debugDescription)" }
        return "\(bytes.count) bytes \(String(s.prefix(20)).debugDescription)…\(String(s.suffix(20)).debugDescription)"
    }

    /// The read query's column names, in order.
    static let columns = [
        "external_id", "title", "content", "location", "start_time", "end_time", "all_day", "status",
        "participant_0_name", "participant_0_email", "participant_0_response", "participant_0_phone_mobile",
        "appt_kind", "created", "updated",
    ]

    @Test func sqliteMatchesTheSqlite3Client() throws {
        let path = Fixture.sqliteFile()
        let cs = "Driver=SQLite3;Database=\(path);"
        try DifferentialTable(seed: Self.seed, nul: true).load(
            into: try SQL(cs),
            create: """
                CREATE TABLE diff (id INTEGER, title TEXT, notes TEXT, place TEXT, starts TIMESTAMP, ends TIMESTAMP,
                  whole_day INTEGER, state TEXT, who TEXT, mail TEXT, answer TEXT, mobile TEXT, kind INTEGER,
                  made TIMESTAMP, changed TIMESTAMP)
                """)
        let query = Fixture.windowQuery(DifferentialTable.query, sqliteDates: true)
        let client = try DatabaseCLI.sqlite(path, Self.literal(query), columns: Self.columns)
        try compare(cs, query: query, client: client)
    }

    @Test func postgresMatchesPsql() throws {
        guard let cs = PG.connectionString() else { return }
        try DifferentialTable(seed: Self.seed, nul: false).load(
            into: try SQL(cs),
            create: """
                CREATE TABLE diff (id int, title text, notes text, place varchar(300), starts timestamp, ends timestamp,
                  whole_day int, state text, who text, mail text, answer text, mobile text, kind int,
                  made timestamp, changed timestamp)
                """)
        let client = try DatabaseCLI.postgres(PG.env, Self.literal(DifferentialTable.query))
        try compare(cs, query: DifferentialTable.query, client: client)
    }

    @Test func mariadbMatchesTheMariadbClient() throws {
        guard let cs = MariaDB.connectionString() else { return }
        try DifferentialTable(seed: Self.seed, nul: true).load(
            into: try SQL(cs),
            create: """
                CREATE TABLE diff (id int, title text, notes longtext, place varchar(300), starts datetime,
                  ends datetime, whole_day int, state varchar(20), who text, mail text, answer text, mobile text,
                  kind int, made datetime, changed datetime)
                """)
        let client = try DatabaseCLI.mariadb(MariaDB.env, Self.literal(DifferentialTable.query))
        try compare(cs, query: DifferentialTable.query, client: client)
    }
}
