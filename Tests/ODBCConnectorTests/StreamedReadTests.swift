import AlmanacCore
import Foundation
import Testing

@testable import ODBCConnector

/// A chunk's rows reach the engine as they are read (`read(_:into:)`): the connector hands each
/// row's item over before it maps the next, and when it must read the chunk again (a value wider
/// than its buffers) it withdraws what it handed first.
@Suite(.timeLimit(.minutes(10)), .serialized) struct StreamedReadTests {
    static let query = """
        SELECT id AS external_id, title, content, starts AS start_time FROM visits
        WHERE starts >= :window_start AND starts < :window_end ORDER BY id
        """

    /// What the connector had mapped when each item was handed over, and the restarts.
    struct Probe: ItemSink {
        let connector: ODBCConnector
        var taken: [SourceItem] = []
        /// `connector.rowNumber` at each take.
        var rowsMapped: [Int] = []
        var restarts = 0
        /// Items taken before each restart.
        var withdrawn: [Int] = []

        mutating func take(_ item: SourceItem) {
            taken.append(item)
            rowsMapped.append(connector.rowNumber)
        }

        mutating func restart() {
            restarts += 1
            withdrawn.append(taken.count)
            taken.removeAll()
            rowsMapped.removeAll()
        }
    }

    /// A SQLite file with `count` visits on 2026-03-02; visit `i` has the content `content(i)`.
    static func seeded(_ count: Int, content: (Int) -> String) throws -> String {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try sql.exec("CREATE TABLE visits (id INTEGER, title TEXT, content TEXT, starts TIMESTAMP)")
        try sql.exec(
            "INSERT INTO visits VALUES (?, ?, ?, '2026-03-02 10:00:00')",
            rows: (1...count).map { [.integer($0), .text("Visit \($0)"), .text(content($0))] })
        return path
    }

    static func connector(_ path: String, fetchRows: Int) throws -> ODBCConnector {
        try Fixture.connector(
            "Driver=SQLite3;Database=\(path);", connection: ["fetch_rows": "\(fetchRows)"],
            job: ["read_query": Fixture.windowQuery(query, sqliteDates: true)])
    }

    static let week = TimeWindow(start: Fixture.date("2026-03-01T06:00:00Z"), end: Fixture.date("2026-03-08T06:00:00Z"))

    @Test func eachRowIsHandedOverBeforeTheNextIsMapped() throws {
        let c = try Self.connector(try Self.seeded(100) { "Notes \($0)" }, fetchRows: 10)
        var probe = Probe(connector: c)
        let page = try c.read(ReadRequest(window: Self.week), into: &probe)
        #expect(page.items.isEmpty)
        #expect(page.problems.isEmpty)
        #expect(page.coverage == .complete(Self.week))
        #expect(probe.restarts == 0)
        #expect(probe.taken.map(\.key) == (1...100).map(String.init))
        // Held whole, the chunk would be mapped to its end before the first item is handed over.
        #expect(probe.rowsMapped == Array(1...100))
        #expect(probe.taken.last?.event.description == "Notes 100")
    }

    @Test func aValueWiderThanTheBuffersWidensThemAndWithdrawsWhatWasHanded() throws {
        let wide = String(repeating: "x-ray ", count: 150)  // 900 bytes
        let c = try Self.connector(try Self.seeded(100) { $0 == 55 ? wide : "Notes \($0)" }, fetchRows: 10)
        #expect(c.boundBytes == ODBCConnector.initialBoundBytes)
        var probe = Probe(connector: c)
        _ = try c.read(ReadRequest(window: Self.week), into: &probe)
        // Rowsets 1-5 were handed over before the one with row 55, then withdrawn.
        #expect(probe.withdrawn == [50])
        #expect(probe.taken.map(\.key) == (1...100).map(String.init))
        #expect(probe.taken[54].event.description == wide)
        #expect(c.boundBytes == 1_024)
        #expect(!c.singleRowReads)

        // The next read of this connector starts with the wider buffers.
        var again = Probe(connector: c)
        _ = try c.read(ReadRequest(window: Self.week), into: &again)
        #expect(again.restarts == 0)
        #expect(again.taken == probe.taken)
    }

    @Test func aValuePastTheWidestBuffersIsReadRowByRow() throws {
        let long = String(repeating: "long note ", count: 600)  // 6,000 bytes
        let c = try Self.connector(try Self.seeded(30) { $0 == 25 ? long : "Notes \($0)" }, fetchRows: 10)
        var probe = Probe(connector: c)
        _ = try c.read(ReadRequest(window: Self.week), into: &probe)
        #expect(probe.withdrawn == [20])
        #expect(c.singleRowReads)
        #expect(probe.taken.map(\.key) == (1...30).map(String.init))
        #expect(probe.taken[24].event.description == long)
    }

    @Test func readCollectsWhatIsStreamed() throws {
        let c = try Self.connector(try Self.seeded(25) { "Notes \($0)" }, fetchRows: 4)
        var probe = Probe(connector: c)
        _ = try c.read(ReadRequest(window: Self.week), into: &probe)
        let page = try c.read(ReadRequest(window: Self.week))
        #expect(page.items == probe.taken)
        #expect(page.items.count == 25)
    }
}
