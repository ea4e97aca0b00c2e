import AlmanacCore
import Foundation
import Logging
import RowMapping

/// An ODBC source or sink: reads a window with the profile's `read_query` and writes through the
/// profile's `insert`/`update`/`delete`/`on_confirmed`/`on_cancelled` statements, every value
/// bound as an ODBC parameter.
///
/// A read runs `read_query` once over exactly the window it is handed (`:window_start`,
/// `:window_end`) and returns one page whose coverage is `.complete(window)`. The engine decides
/// the chunks (`SideReader`, by the job's `chunk_days`); this connector never splits them again.
/// `read(_:into:)` hands each row's item over as soon as it is mapped, so a chunk is never held
/// whole: the connector holds one or two rowsets (`fetch_rows` rows) at a time.
/// The connection is opened on first use and reopened once when a call fails with a lost
/// connection (SQLSTATE 08xxx).
public final class ODBCConnector: Connector {
    public let capabilities: ConnectorCapabilities
    public let fields: Set<EventField>
    public let keepsAllDay: Bool
    /// Events and contacts (`kind = "contacts"`: the contact columns and statements of README "Contacts").
    public var kinds: Set<ItemKind> { [.events, .contacts] }
    public let contactShape: ContactShape
    let settings: ODBCSettings
    let context: ConnectorContext
    let resolver: ZoneResolver
    private var environment: ODBCEnvironment?
    private var connection: ODBCConnection?
    private var prepared: [String: ODBCStatement] = [:]
    /// Keys seen in the current listing (duplicate detection across its pages) and its row count.
    var seenKeys = KeySet()
    var rowNumber = 0
    /// Set once a value did not fit the block cursor's widest buffers: the rest of the listing is
    /// read row by row, every value whole.
    var singleRowReads = false
    /// Bytes bound per text value in the block cursor's buffers (`ResultReader.boundBytes`):
    /// narrow, as the SQLite3 driver pads each value to its buffer. A value longer than that
    /// widens the buffers to fit it (for every later read of this connector) and the chunk is
    /// read again; past `ResultReader`'s widest buffers, row by row.
    var boundBytes = ODBCConnector.initialBoundBytes
    static let initialBoundBytes = 256

    /// Throws `AlmanacError` for bad settings or a secret that cannot be read.
    init(context: ConnectorContext, capabilities: ConnectorCapabilities) throws {
        self.context = context
        self.capabilities = capabilities
        var settings = try ODBCSettings(context)
        if settings.contacts != nil {
            let logger = context.logger
            settings.contacts?.reportKeptPhone = { kept in
                logger.notice(
                    "phone kept as given: \(kept.problem)",
                    metadata: [
                        "connector": "odbc", "key": "\(kept.key)", "column": "\(kept.column)",
                        "error.code": "\(kept.problem.id)",
                    ])
            }
        }
        self.settings = settings
        fields = settings.representedFields
        contactShape = settings.representedContactShape
        keepsAllDay = settings.keepsAllDay
        resolver = ZoneResolver(context.timeZone)
    }

    var place: String { "connection \"\(context.connectionName)\"" }

    // MARK: connection

    func environmentHandle() throws -> ODBCEnvironment {
        if let environment { return environment }
        do {
            let env = try ODBCEnvironment()
            environment = env
            return env
        } catch {
            throw AlmanacError(
                .odbcUnavailable, "\(place): the ODBC driver manager (unixODBC) cannot start: install unixodbc",
                cause: error)
        }
    }

    /// The open connection, connecting first if needed. Throws `AlmanacError` (`odbc.*`).
    func open() throws -> ODBCConnection {
        if let connection, connection.isConnected { return connection }
        let conn = try ODBCConnection(environment: environmentHandle())
        if let failure = ConnectFailure.sqliteFileMissing(settings.connectionString) {
            throw failure.error(place: place)
        }
        do {
            try conn.connect(settings.fullConnectionString, loginTimeout: settings.connectTimeout)
        } catch let e as ODBCCallError {
            let scrubbed = e.scrubbed(settings.password)
            let failure = ConnectFailure.classify(
                scrubbed, settings: settings,
                installedDrivers: environment?.installedDrivers() ?? [])
            throw failure.error(place: place, cause: scrubbed)
        }
        connection = conn
        prepared = [:]
        context.logger.debug("odbc connected", metadata: ["connector": "odbc"])
        return conn
    }

    /// Drops the connection (after a failure that left it unusable).
    func drop() {
        prepared = [:]
        connection?.disconnect()
        connection = nil
    }

    /// A prepared statement for `sql`, cached per connection.
    func statement(_ sql: String, on conn: ODBCConnection) throws -> ODBCStatement {
        if let s = prepared[sql] { return s }
        let s = try conn.statement(queryTimeout: settings.queryTimeout)
        try s.prepare(sql)
        prepared[sql] = s
        return s
    }

    /// Runs `body` on an open connection; when it fails with a lost connection, reconnects and
    /// runs it once more.
    func withReconnect<T>(_ body: (ODBCConnection) throws -> T) throws -> T {
        let conn = try open()
        do {
            return try body(conn)
        } catch let e as ODBCCallError where e.isConnectionLost {
            context.logger.info("odbc connection lost; reconnecting", metadata: ["connector": "odbc"])
            drop()
            return try body(try open())
        }
    }

    func queryError(_ e: ODBCCallError, what: String) -> AlmanacError {
        let e = e.scrubbed(settings.password)
        if e.isTimeout {
            return AlmanacError(
                .odbcTimeout, "\(place): \(what) did not finish within query_timeout (\(settings.queryTimeout)s)",
                cause: e, retryable: true)
        }
        if e.isConnectionLost {
            return AlmanacError(
                .odbcConnectionLost,
                "\(place): the connection was lost during \(what) and could not be re-established",
                cause: e, retryable: true)
        }
        return AlmanacError(.odbcQueryFailed, "\(place): \(what) failed: \(e.description)", cause: e)
    }

    // MARK: read

    /// Reads `request.window`, whole, in one page (`read(_:into:)` with every item collected).
    public func read(_ request: ReadRequest) throws -> ReadPage {
        var collector = ItemCollector()
        var page = try read(request, into: &collector)
        page.items = collector.items
        return page
    }

    /// Reads `request.window` in one page, each row's item handed to `sink` once mapped. Throws
    /// `AlmanacError` when the query fails (or for a `continuation`: this connector never hands
    /// one out); rows that cannot be mapped are `problems`, never errors. Reading the chunk again
    /// (a lost connection, a value wider than the buffers) calls `sink.restart()` first.
    public func read<Sink: ItemSink>(_ request: ReadRequest, into sink: inout Sink) throws -> ReadPage {
        guard let query = settings.readQuery else {
            throw AlmanacError(.configMissingKey, "job \"\(context.job)\": read_query is required to read \(place)")
        }
        if let c = request.continuation {
            throw AlmanacError(
                .odbcBadContinuation, "\(place): continuation \"\(c)\" does not belong to this window")
        }
        seenKeys.removeAll()
        rowNumber = 0
        singleRowReads = false
        let chunk = request.window
        seenKeys.mark()
        var attempts = 0
        do {
            return try withReconnect { conn in
                if attempts > 0 { sink.restart() }
                attempts += 1
                rowNumber = 0
                seenKeys.rollback()
                return try readChunk(query, chunk: chunk, since: request.since, conn: conn, into: &sink)
            }
        } catch {
            // The page is not delivered: its keys do not count as seen when it is asked for again.
            rowNumber = 0
            seenKeys.rollback()
            guard let e = error as? ODBCCallError else { throw error }
            drop()
            throw queryError(e, what: "read_query for \(chunk)")
        }
    }

    func readChunk<Sink: ItemSink>(
        _ query: NamedStatement, chunk: TimeWindow, since: Date?, conn: ODBCConnection, into sink: inout Sink
    ) throws -> ReadPage {
        let stmt = try statement(query.sql, on: conn)
        let values: [ODBCParameter] = query.names.map { name in
            switch name {
            case "window_start": return .timestamp(resolver.wall(chunk.start))
            case "window_end": return .timestamp(resolver.wall(chunk.end))
            default: return .timestamp(since.map(resolver.wall) ?? WallClock(wallSeconds: -2_208_988_800))
            }
        }
        let firstRow = rowNumber
        while true {
            let page = try readChunkOnce(stmt, values: values, chunk: chunk, conn: conn, into: &sink)
            if let page { return page }
            // A value longer than its buffer: read the chunk again, wider or row by row.
            sink.restart()
            rowNumber = firstRow
            seenKeys.rollback()
        }
    }

    /// After a rowset with a value of `needed` bytes (nil: unknown) that did not fit: buffers
    /// that fit it, or row-by-row reads when the widest buffers would not (or when `boundBytes`
    /// was not what kept it out: a driver's declared column size).
    func widen(toFit needed: Int?) {
        let widest = ResultReader.widestBoundBytes
        if let needed, needed > boundBytes, needed <= widest {
            var bytes = boundBytes * 2
            while bytes < needed { bytes *= 2 }
            boundBytes = min(bytes, widest)
            context.logger.debug(
                "odbc value longer than the block cursor's buffer; widening them to \(boundBytes) bytes")
        } else {
            context.logger.debug("odbc value longer than the block cursor's buffer; reading row by row")
            singleRowReads = true
        }
    }

    /// One pass over the chunk's result, each item handed to `sink`; nil when a value did not
    /// fit the block cursor and the chunk must be read again (`widen` has chosen how).
    func readChunkOnce<Sink: ItemSink>(
        _ stmt: ODBCStatement, values: [ODBCParameter], chunk: TimeWindow,
        conn: ODBCConnection, into sink: inout Sink
    ) throws -> ReadPage? {
        try stmt.bind(values)
        try stmt.execute()
        defer { stmt.closeCursor() }
        let reader: any RowSource =
            singleRowReads
            ? try SingleRowReader(statement: stmt, maxValueBytes: settings.maxValueBytes)
            : try ResultReader(
                statement: stmt, rowArraySize: settings.fetchRows, boundBytes: boundBytes,
                maxValueBytes: settings.maxValueBytes, pipelined: true,
                fingerprintSettings: [resolver.timeZone.identifier, TimeZone.timeZoneDataVersion]
                    + (settings.contacts?.fingerprintSettings ?? []))
        defer { reader.finish() }
        let mapper = RowMapper(columns: reader.columns.map(\.name), resolver: resolver)
        mapper.contacts = settings.contacts
        if let missing = mapper.missingRequiredColumns.first {
            throw AlmanacError(
                .odbcReadQueryColumns,
                "job \"\(context.job)\": read_query returns no column named \(missing) (alias one: AS \(missing))")
        }
        let updatedColumn = mapper.hasUpdated
        let cellReader = reader.cellReader
        var problems: [ItemProblem] = []
        while true {
            let n = try reader.fetch()
            if reader.overflowed {
                widen(toFit: (reader as? ResultReader)?.neededBytes)
                return nil
            }
            if n == 0 { break }
            for row in 0..<n {
                rowNumber += 1
                let cells = CellRow(cellReader, row: row)
                if reader.rowFailed(row) {
                    problems.append(
                        ItemProblem(
                            key: mapper.key(cells) ?? "row \(rowNumber)", reason: "the driver could not fetch this row")
                    )
                    continue
                }
                // A row the sink has seen mapped, byte for byte: taken unmapped.
                let fingerprint = reader.fingerprint(row)
                if let fingerprint, let key = mapper.key(cells), !seenKeys.contains(key),
                    sink.takeUnchanged(key: key, fingerprint: fingerprint)
                {
                    _ = seenKeys.insert(key)
                    continue
                }
                switch mapper.map(cells: cells, locator: "row \(rowNumber)") {
                case .item(let key, let event):
                    if !seenKeys.insert(key) {
                        problems.append(
                            DuplicateKey.problem(key: key, at: "row \(rowNumber)", firstAt: "an earlier row"))
                        continue
                    }
                    let version = ContentVersion.of(event, updatedColumn: updatedColumn)
                    let item = SourceItem(key: key, version: version, event: event)
                    if let fingerprint { sink.take(item, fingerprint: fingerprint) } else { sink.take(item) }
                case .problem(let problem): problems.append(problem)
                case .outside: continue
                }
            }
        }
        try conn.endTransaction(commit: true)
        return ReadPage(items: [], problems: problems, coverage: .complete(chunk))
    }

    public func testConnection() -> ConnectionReport { ConnectionTester(connector: self).run() }
}
