import AlmanacCore
import Foundation

extension ODBCConnector {
    /// Keys bound per `lookup_query` execution (drivers limit the markers of one statement).
    static let lookupBatch = 500
    /// The window a lookup without `lookup_query` reads: 1900-01-01 to 2100-01-01.
    static let unboundedWindow = TimeWindow(
        start: Date(timeIntervalSince1970: -2_208_988_800), end: Date(timeIntervalSince1970: 4_102_444_800))

    /// The rows of `keys`, wherever their start lies. With `lookup_query`, it runs with `:keys`
    /// bound (one text value per key, `lookupBatch` keys per execution); without one, the
    /// `read_query` runs over 1900–2100 and the rows of `keys` are kept. A row of a key asked for
    /// that cannot be mapped fails the lookup (`odbc.unreadable_row`), so it is not deleted.
    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        seenKeys.removeAll()
        seenKeys.mark()
        rowNumber = 0
        singleRowReads = false
        defer {
            seenKeys.removeAll()
            rowNumber = 0
        }
        let wanted = Set(keys)
        var problems: [ItemProblem] = []
        var items: [SourceItem] = []
        do {
            if let lookup = settings.lookupQuery {
                for start in stride(from: 0, to: keys.count, by: Self.lookupBatch) {
                    let batch = Array(keys[start..<min(keys.count, start + Self.lookupBatch)])
                    var found = ItemCollector()
                    problems += try withReconnect { conn in
                        found.restart()
                        return try lookupBatch(lookup, keys: batch, conn: conn, into: &found).problems
                    }
                    items += found.items
                }
            } else if let query = settings.readQuery {
                // Every row is read; only those of `keys` are kept.
                var found = ItemCollector(keep: { wanted.contains($0.key) })
                problems += try withReconnect { conn in
                    found.restart()
                    seenKeys.rollback()
                    return try readChunk(query, chunk: Self.unboundedWindow, since: nil, conn: conn, into: &found)
                        .problems
                }
                items = found.items
            }
        } catch let e as ODBCCallError {
            drop()
            throw queryError(e, what: settings.lookupQuery == nil ? "read_query for a lookup" : "lookup_query")
        }
        if let bad = problems.first(where: { wanted.contains($0.key) }) {
            throw AlmanacError(.odbcUnreadableRow, "\(place): \(bad); it cannot be looked up, so it is not deleted")
        }
        return items.filter { wanted.contains($0.key) }
    }

    /// One execution of `lookup_query` for `keys`.
    private func lookupBatch(
        _ lookup: NamedStatement, keys: [String], conn: ODBCConnection, into found: inout ItemCollector
    ) throws -> ReadPage {
        let sql = lookup.sql(expanding: "keys", count: keys.count)
        let stmt = try statement(sql, on: conn)
        var values: [ODBCParameter] = []
        for name in lookup.names where name == "keys" { values += keys.map { .text($0) } }
        while true {
            seenKeys.removeAll()
            if let page = try readChunkOnce(stmt, values: values, chunk: Self.unboundedWindow, conn: conn, into: &found)
            {
                return page
            }
            found.restart()
        }
    }
}
