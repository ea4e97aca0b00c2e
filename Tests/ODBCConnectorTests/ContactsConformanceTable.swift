import AlmanacCore
import AlmanacTestKit
import Foundation
import RowMapping
import Testing

@testable import ODBCConnector

/// The hook for the conformance suite's contact checks (`AlmanacTestKit`): a `ConformanceFixture`
/// whose items are contacts (their envelopes, `Contact.envelope`), over an empty `odbc_contacts` table
/// reachable through `cs`, with the connector as source and sink (`kind = "contacts"`). Seeded
/// with the contact parameters bound as the connector binds them; inspected by mapping the rows
/// without the connector.
enum ContactsConformanceTable {
    static let job = [
        "read_query": ContactsTests.readQuery, "insert": ContactsTests.insert, "update": ContactsTests.update,
        "delete": ContactsTests.delete,
    ]

    static func fixture(_ cs: String, birthday: String, region: String? = "US") throws -> ConformanceFixture {
        let sql = try SQL(cs)
        try sql.exec("DROP TABLE IF EXISTS odbc_contacts", ContactsTests.table(birthday: birthday))
        let connector = try ContactsTests.connector(cs, region: region, job: job)
        let insert = NamedStatement(ContactsTests.insert)
        let rules = ContactRules(defaultRegion: region)
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
            stored: { try sql.contacts(ContactsTests.readQuery, rules: rules) },
            deterministicCreates: false, versions: false)
    }
}

extension SQL {
    /// Maps every row of `query` (contact column names) as a contacts connector would, by key.
    func contacts(_ query: String, rules: ContactRules) throws -> [String: Event] {
        let stmt = try connection.statement(queryTimeout: 30)
        try stmt.prepare(query)
        try stmt.execute()
        let reader = try SingleRowReader(statement: stmt)
        let mapper = RowMapper(columns: reader.columns.map(\.name), resolver: ZoneResolver(Fixture.chicago))
        mapper.contacts = rules
        var out: [String: Event] = [:]
        while try reader.fetch() > 0 {
            switch mapper.map(cells: CellRow(reader.cellReader, row: 0), locator: "row") {
            case .item(let key, let event): out[key] = event
            case .problem(let p): throw MappingProblem(problem: p)
            case .outside: continue
            }
        }
        stmt.closeCursor()
        try connection.endTransaction(commit: true)
        return out
    }
}

/// The fixture works as the suite will use it: what is seeded, the connector lists as stored. In
/// `ContactsTests` (serialized): the fixture's `odbc_contacts` table is the one those tests use.
extension ContactsTests {
    static func checkFixture(_ f: ConformanceFixture) throws {
        let contacts = [ContactsTests.ann, ContactsTests.bob]
        let keys = try f.seed(contacts.map { $0.envelope() })
        #expect(keys == ["seed-1", "seed-2"])
        let stored = try f.stored()
        #expect(keys.map { stored[$0]?.contact } == contacts)
        let listed = try f.connector.readListing(ReadRequest(window: f.window))
        #expect(listed.problems == [])
        #expect(Dictionary(uniqueKeysWithValues: listed.items.map { ($0.key, $0.event) }) == stored)
        #expect(f.connector.kinds.contains(.contacts))
    }

    @Test func conformanceFixtureOnSQLite() throws {
        try Self.checkFixture(
            ContactsConformanceTable.fixture("Driver=SQLite3;Database=\(Fixture.sqliteFile());", birthday: "DATE"))
    }

    @Test func conformanceFixtureOnPostgres() throws {
        guard let cs = PG.connectionString() else { return }
        try Self.checkFixture(ContactsConformanceTable.fixture(cs, birthday: "date"))
    }

    /// The conformance suite's contact checks (`ContactConformance`) on SQLite3 and PostgreSQL.
    @Test func contactChecksOnSQLite() throws {
        for check in ContactConformance.checks {
            let cs = "Driver=SQLite3;Database=\(Fixture.sqliteFile());"
            try check.run(ContactFixture(envelopes: ContactsConformanceTable.fixture(cs, birthday: "DATE")))
        }
    }

    @Test func contactChecksOnPostgres() throws {
        guard let cs = PG.connectionString() else { return }
        for check in ContactConformance.checks {
            try check.run(ContactFixture(envelopes: ContactsConformanceTable.fixture(cs, birthday: "date")))
        }
    }
}
