import AlmanacCore
import CODBC
import RowMapping

/// What the connector reads result rows through: a block cursor (`ResultReader`) or the exact,
/// row-at-a-time `SingleRowReader`.
protocol RowSource: AnyObject {
    var columns: [ODBCColumnDescription] { get }
    var rowArraySize: Int { get }
    /// A value did not fit the reader's buffers: none of the rowset's rows may be used, and the
    /// result must be read again with `SingleRowReader`.
    var overflowed: Bool { get }
    /// Fetches the next rowset; returns how many rows it holds (0 at the end).
    /// Throws `ODBCCallError` when the fetch or a read fails (connection lost, timeout).
    func fetch() throws -> Int
    /// True when the driver flagged the row as failed (`SQL_ROW_ERROR`).
    func rowFailed(_ row: Int) -> Bool
    /// The row's fingerprint (`RowFingerprints`), nil when the reader makes none.
    func fingerprint(_ row: Int) -> UInt64?
    /// The cell at `row` (within the current rowset) and `column` (0-based).
    func value(row: Int, column: Int) -> CellValue
    /// The same as the mapper reads it (valid until the next fetch).
    func cell(row: Int, column: Int) -> Cell
    /// Whether the cell is text of at least one byte (or one that cannot be read).
    func hasText(row: Int, column: Int) -> Bool
    /// How `RowMapper` reads this reader's rows (`CellRow`), calling it directly.
    var cellReader: CellRow.Reader { get }
    /// Releases what the reader holds besides the statement. Idempotent.
    func finish()
}

/// Reads a result set one row at a time with nothing bound: every column of every row with
/// `SQLGetData`, in column order, in parts of `partBytes` until the driver has handed the value
/// over whole (`SQL_SUCCESS` after 01004 warnings, or `SQL_NO_DATA`). This is the read every ODBC
/// driver must support — no block cursor, no positioning, no bound columns — so a value of any
/// length arrives exactly, or as `.tooLong` past `maxValueBytes` (the rest is never fetched).
///
/// Column types travel as in `ResultReader` (same `Binding` rules), so both readers produce the
/// same cells for the same row.
final class SingleRowReader: RowSource {
    let statement: ODBCStatement
    let columns: [ODBCColumnDescription]
    let bindings: [ResultReader.Binding]
    let maxValueBytes: Int
    let partBytes: Int
    let rowArraySize = 1
    let overflowed = false
    private var row: [CellValue] = []
    private var buffer: UnsafeMutableRawPointer

    /// Describes the executed statement's result columns, unbinds every column and resets the
    /// rowset size to 1 (a block cursor may have used the statement before).
    /// Throws `ODBCCallError` when the driver rejects the description or the rowset size.
    init(
        statement: ODBCStatement, maxValueBytes: Int = ODBCSettings.defaultMaxValueBytes, partBytes: Int = 65_536,
        text: ODBCTextTransfer = .forCurrentLocale()
    ) throws {
        self.statement = statement
        self.maxValueBytes = maxValueBytes
        self.partBytes = max(partBytes & ~1, 64)
        let count = try statement.resultColumnCount()
        columns = try (0..<count).map { try statement.describeColumn($0 + 1) }
        bindings = columns.map { ResultReader.binding(for: $0, maxBoundCharacters: 2_048, text: text) }
        buffer = .allocate(byteCount: self.partBytes + 2, alignment: 16)
        let stmt = statement.handle
        _ = SQLFreeStmt(stmt, SQLUSMALLINT(SQL_UNBIND))
        _ = SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROWS_FETCHED_PTR), nil, 0)
        _ = SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_STATUS_PTR), nil, 0)
        _ = SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_BIND_OFFSET_PTR), nil, 0)
        try statement.check(
            SQLSetStmtAttr(
                statement.handle, SQLINTEGER(SQL_ATTR_ROW_ARRAY_SIZE), UnsafeMutableRawPointer(bitPattern: 1), 0),
            "SQLSetStmtAttr(ROW_ARRAY_SIZE)")
    }

    deinit { buffer.deallocate() }

    func finish() {}

    func fetch() throws -> Int {
        let rc = SQLFetch(statement.handle)
        if rc == SQLRETURN(SQL_NO_DATA) { return 0 }
        try statement.check(rc, "SQLFetch")
        row = []
        row.reserveCapacity(columns.count)
        for (i, binding) in bindings.enumerated() { row.append(try read(column: i + 1, binding)) }
        return 1
    }

    func rowFailed(_ row: Int) -> Bool { false }

    func fingerprint(_ row: Int) -> UInt64? { nil }

    func value(row: Int, column: Int) -> CellValue { self.row[column] }

    func cell(row: Int, column: Int) -> Cell { self.row[column].cell }

    func hasText(row: Int, column: Int) -> Bool { self.row[column].cell.hasText }

    /// Holds the reader strongly: used only while the reader is (the connector's read of a result).
    var cellReader: CellRow.Reader {
        CellRow.Reader(
            count: columns.count, cell: { self.cell(row: $0, column: $1) },
            hasText: { self.hasText(row: $0, column: $1) })
    }

    private func read(column: Int, _ binding: ResultReader.Binding) throws -> CellValue {
        switch binding {
        case .timestamp:
            var ts = SQL_TIMESTAMP_STRUCT()
            guard try fixed(column, SQL_C_TYPE_TIMESTAMP, &ts) else { return .null }
            return .timestamp(
                WallClock(
                    date: CivilDate(year: Int(ts.year), month: Int(ts.month), day: Int(ts.day)),
                    hour: Int(ts.hour), minute: Int(ts.minute), second: Int(ts.second)))
        case .date:
            var d = SQL_DATE_STRUCT()
            guard try fixed(column, SQL_C_TYPE_DATE, &d) else { return .null }
            return .date(CivilDate(year: Int(d.year), month: Int(d.month), day: Int(d.day)))
        case .time:
            var t = SQL_TIME_STRUCT()
            guard try fixed(column, SQL_C_TYPE_TIME, &t) else { return .null }
            return .time(LocalTime(hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second)))
        case .wide:
            guard let bytes = try parts(column, SQL_C_WCHAR, terminator: 2) else { return .null }
            guard bytes.count <= maxValueBytes else { return .tooLong(maxValueBytes) }
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
                UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8
            }
            return units.withUnsafeBufferPointer(TextDecoding.utf16).map(CellValue.text) ?? .invalidText
        case .narrow, .binary:
            let binary = if case .binary = binding { true } else { false }
            guard let bytes = try parts(column, binary ? SQL_C_BINARY : SQL_C_CHAR, terminator: binary ? 0 : 1)
            else { return .null }
            guard bytes.count <= maxValueBytes else { return .tooLong(maxValueBytes) }
            return bytes.withUnsafeBufferPointer(TextDecoding.utf8).map(CellValue.text) ?? .invalidText
        }
    }

    /// A fixed-size value (a date, time or timestamp struct); false for NULL.
    private func fixed<T>(_ column: Int, _ cType: Int32, _ value: inout T) throws -> Bool {
        var ind: SQLLEN = 0
        let rc = withUnsafeMutableBytes(of: &value) { raw in
            SQLGetData(
                statement.handle, SQLUSMALLINT(column), SQLSMALLINT(cType), raw.baseAddress, SQLLEN(raw.count), &ind)
        }
        if rc == SQLRETURN(SQL_NO_DATA) { return false }
        try statement.check(rc, "SQLGetData(\(column))")
        return ind != SQLLEN(SQL_NULL_DATA)
    }

    /// A variable-length value's bytes, read in parts (the terminator each part ends with is not
    /// kept); nil for NULL. Stops one part past `maxValueBytes`: the caller reports such a value.
    /// Throws `ODBCCallError` when the driver ends the value before the length it announced.
    private func parts(_ column: Int, _ cType: Int32, terminator: Int) throws -> [UInt8]? {
        var collected: [UInt8] = []
        var announced: Int?
        let capacity = partBytes - terminator
        while true {
            var ind: SQLLEN = 0
            let rc = SQLGetData(
                statement.handle, SQLUSMALLINT(column), SQLSMALLINT(cType), buffer, SQLLEN(partBytes), &ind)
            if rc == SQLRETURN(SQL_NO_DATA) { break }
            try statement.check(rc, "SQLGetData(\(column))")
            if ind == SQLLEN(SQL_NULL_DATA) { return collected.isEmpty ? nil : collected }
            if announced == nil && ind != SQLLEN(SQL_NO_TOTAL) { announced = Int(ind) }
            // A part filled to the brim, or a length beyond it: more to come.
            let more = ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > capacity
            collected.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: more ? capacity : Int(ind)))
            if !more { break }
            if collected.count > maxValueBytes { return collected }
        }
        if let announced, collected.count < announced {
            throw ODBCCallError(
                call: "SQLGetData(\(column))",
                records: [
                    ODBCDiagnostic(
                        state: "01004", native: 0,
                        message: "the driver announced \(announced) bytes and handed over \(collected.count)")
                ])
        }
        return collected
    }
}
