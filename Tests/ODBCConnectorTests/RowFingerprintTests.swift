import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import ODBCConnector

/// The block cursor's row fingerprints (`RowFingerprints`, `ItemSink.takeUnchanged`): a row
/// whose cells are byte for byte those of a row the sink saw is offered unmapped, and any change
/// of a cell, of the columns' names or of the zone has the row mapped and handed over.
@Suite(.timeLimit(.minutes(10)), .serialized) struct RowFingerprintTests {
    static let columns = ["subject", "notes", "room", "starts", "ends", "status", "client", "email", "kind"]
    static let query = """
        SELECT id AS external_id, subject AS title, notes AS content, room AS location, starts AS start_time,
               ends AS end_time, status, client AS participant_0_name, email AS participant_0_email,
               kind AS appt_type
        FROM appointments WHERE starts >= :window_start AND starts < :window_end ORDER BY id
        """
    static let week = TimeWindow(start: Fixture.date("2026-03-01T06:00:00Z"), end: Fixture.date("2026-03-08T06:00:00Z"))

    /// Remembers the fingerprint of every item handed over; offered a row, takes it unmapped when
    /// its key's remembered fingerprint is the row's.
    struct Probe: ItemSink {
        var known: [String: UInt64] = [:]
        var mapped: [String: UInt64] = [:]
        var skipped: Set<String> = []
        var withoutFingerprint = 0

        mutating func take(_ item: SourceItem) { withoutFingerprint += 1 }

        mutating func take(_ item: SourceItem, fingerprint: UInt64) { mapped[item.key] = fingerprint }

        mutating func takeUnchanged(key: String, fingerprint: UInt64) -> Bool {
            guard known[key] == fingerprint else { return false }
            skipped.insert(key)
            return true
        }

        mutating func restart() {
            mapped = [:]
            skipped = []
        }

        /// A read with what this one learnt.
        func next() -> Probe { Probe(known: known.merging(mapped) { $1 }) }
    }

    /// The value of `column` in row `i` at first (nil: NULL).
    static func initial(_ column: String, _ i: Int) -> ODBCParameter {
        switch column {
        case "starts": return .text("2026-03-0\(2 + i % 5) \(10 + i % 8):00:00")
        case "ends": return .text("2026-03-0\(2 + i % 5) \(10 + i % 8):30:00")
        case "status": return .text(i % 7 == 0 ? "tentative" : "confirmed")
        case "notes": return .text(i % 3 == 0 ? nil : "Notes \(i)")
        case "email": return .text(i % 4 == 0 ? nil : "client\(i)@example.org")
        default: return .text("\(column) \(i)")
        }
    }

    /// A value of `column` other than `old`.
    static func changed(_ column: String, from old: String?, _ random: inout SeededRandom) -> String? {
        switch column {
        case "starts", "ends":
            // Another second: the same minute, a different stamp.
            let old = old ?? "2026-03-03 09:00:00"
            return old.dropLast(2) + (old.hasSuffix("00") ? "01" : "00")
        case "status": return old == "confirmed" ? "tentative" : "confirmed"
        default:
            guard let old else { return "new" }
            switch random.below(4) {
            case 0: return nil
            case 1: return old + " "
            case 2: return old.uppercased() == old ? old + "x" : old.uppercased()
            default: return old + "\u{e9}"
            }
        }
    }

    static func seeded(_ count: Int) throws -> (path: String, sql: SQL) {
        let path = Fixture.sqliteFile()
        let sql = try SQL("Driver=SQLite3;Database=\(path);")
        try sql.exec(
            """
            CREATE TABLE appointments (id INTEGER PRIMARY KEY, subject TEXT, notes TEXT, room TEXT,
              starts TIMESTAMP, ends TIMESTAMP, status TEXT, client TEXT, email TEXT, kind TEXT)
            """)
        try sql.exec(
            "INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows: (1...count).map { i in [.integer(i)] + columns.map { initial($0, i) } })
        return (path, sql)
    }

    static func connector(_ path: String, query: String = query, zone: TimeZone = Fixture.chicago) throws
        -> ODBCConnector
    {
        try Fixture.connector(
            "Driver=SQLite3;Database=\(path);", connection: ["fetch_rows": "16"],
            job: ["read_query": Fixture.windowQuery(query, sqliteDates: true)], zone: zone)
    }

    static func read(_ c: ODBCConnector, _ probe: Probe) throws -> Probe {
        var probe = probe
        let page = try c.read(ReadRequest(window: week), into: &probe)
        #expect(page.problems.isEmpty, "\(page.problems)")
        #expect(probe.withoutFingerprint == 0)
        return probe
    }

    /// Rounds of one changed cell in each of a few random rows: exactly those rows are mapped
    /// again, every other row is taken unmapped.
    @Test(arguments: [UInt64(1), 2, 3])
    func aChangedCellHasItsRowMappedAndNoOther(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        let count = 120
        let (path, sql) = try Self.seeded(count)
        var values: [[String?]] = (1...count).map { i in
            Self.columns.map { c in
                guard case .text(let v) = Self.initial(c, i) else { return nil }
                return v
            }
        }
        let c = try Self.connector(path)
        var probe = try Self.read(c, Probe())
        #expect(probe.mapped.count == count && probe.skipped.isEmpty)
        probe = try Self.read(c, probe.next())
        #expect(probe.mapped.isEmpty && probe.skipped.count == count)
        for _ in 0..<6 {
            var changedKeys: Set<String> = []
            for _ in 0..<(1 + random.below(6)) {
                let row = random.below(count)
                // One change per row and round (two could undo each other).
                guard !changedKeys.contains(String(row + 1)) else { continue }
                let column = random.below(Self.columns.count)
                let name = Self.columns[column]
                let value = Self.changed(name, from: values[row][column], &random)
                values[row][column] = value
                // The column's name is one of this test's literals; the values are bound.
                try sql.exec("UPDATE appointments SET \(name) = ? WHERE id = ?", [.text(value), .integer(row + 1)])
                changedKeys.insert(String(row + 1))
            }
            probe = try Self.read(c, probe.next())
            #expect(Set(probe.mapped.keys) == changedKeys)
            #expect(probe.skipped.count == count - changedKeys.count)
            #expect(probe.skipped.isDisjoint(with: changedKeys))
        }
    }

    /// Fingerprints depend on how the rows are mapped: another zone, or another name for a
    /// column, and no row is taken unmapped; the same settings again, and every row is.
    @Test func anotherZoneOrColumnNameHasEveryRowMapped() throws {
        let (path, _) = try Self.seeded(40)
        let first = try Self.read(try Self.connector(path), Probe()).next()
        let otherZone = try Self.read(
            try Self.connector(path, zone: TimeZone(identifier: "America/New_York")!), first)
        #expect(otherZone.mapped.count == 40 && otherZone.skipped.isEmpty)
        let renamed = Self.query.replacingOccurrences(of: "kind AS appt_type", with: "kind AS visit_type")
        let otherName = try Self.read(try Self.connector(path, query: renamed), first)
        #expect(otherName.mapped.count == 40 && otherName.skipped.isEmpty)
        let again = try Self.read(try Self.connector(path), first)
        #expect(again.mapped.isEmpty && again.skipped.count == 40)
    }
}
