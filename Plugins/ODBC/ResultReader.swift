import AlmanacCore
import CODBC

/// One cell of a result row, decoded.
enum CellValue {
    case null
    case text(String)
    /// Bytes or code units that are not valid UTF-8 / UTF-16.
    case invalidText
    /// A value longer than the driver declared for its column.
    case truncated
    case timestamp(WallClock)
    case date(CivilDate)
    case time(LocalTime)
}

/// Reads a result set with a block cursor: every column bound once (`SQLBindCol`), rows fetched
/// `rowArraySize` at a time (`SQL_ATTR_ROW_ARRAY_SIZE`). Columns the driver declares longer
/// than `maxBoundCharacters` (or of unknown length: TEXT, CLOB) are bound with a buffer of that
/// size; a value that does not fit is read whole with `SQLSetPos(row)` + `SQLGetData`. A driver
/// that cannot position in a rowset (the SQLite driver) sets `positioningFailed`, and the
/// caller reads the result again one row at a time, where `SQLGetData` needs no positioning.
///
/// Text is bound as UTF-16 (`SQL_C_WCHAR`) for wide columns and as bytes (`SQL_C_CHAR`) for
/// narrow ones, whose UTF-8 is validated per cell; numbers arrive as their text; dates, times
/// and timestamps as ODBC structs.
final class ResultReader {
    enum Binding {
        /// `capped`: the column may hold longer values than the buffer.
        case wide(units: Int, capped: Bool)
        case narrow(bytes: Int, capped: Bool)
        case timestamp
        case date
        case time

        var elementSize: Int {
            switch self {
            case .wide(let units, _): return (units + 1) * 2
            case .narrow(let bytes, _): return bytes + 1
            case .timestamp: return MemoryLayout<SQL_TIMESTAMP_STRUCT>.stride
            case .date: return MemoryLayout<SQL_DATE_STRUCT>.stride
            case .time: return MemoryLayout<SQL_TIME_STRUCT>.stride
            }
        }
    }

    let statement: ODBCStatement
    let columns: [ODBCColumnDescription]
    let bindings: [Binding]
    let rowArraySize: Int
    private var buffers: [UnsafeMutableRawPointer]
    private var indicators: [UnsafeMutablePointer<SQLLEN>]
    /// A long value could not be re-read because the driver cannot position in a rowset.
    private(set) var positioningFailed = false
    private let rowsFetched = UnsafeMutablePointer<SQLULEN>.allocate(capacity: 1)
    private let rowStatus: UnsafeMutablePointer<SQLUSMALLINT>

    /// Describes and binds the executed statement's result columns.
    /// Throws `ODBCCallError` when the driver rejects a binding or the array size.
    init(statement: ODBCStatement, rowArraySize requested: Int, maxBoundCharacters: Int = 2_048) throws {
        self.statement = statement
        let count = try statement.resultColumnCount()
        var columns: [ODBCColumnDescription] = []
        for i in 1...max(count, 1) where count > 0 { columns.append(try statement.describeColumn(i)) }
        self.columns = columns
        bindings = columns.map { Self.binding(for: $0, maxBoundCharacters: maxBoundCharacters) }
        rowArraySize = max(requested, 1)
        rowStatus = .allocate(capacity: rowArraySize)
        buffers = []
        indicators = []
        let stmt = statement.handle
        try statement.check(SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_BIND_TYPE),
                                           UnsafeMutableRawPointer(bitPattern: Int(SQL_BIND_BY_COLUMN)), 0),
                            "SQLSetStmtAttr(ROW_BIND_TYPE)")
        try statement.check(SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_ARRAY_SIZE),
                                           UnsafeMutableRawPointer(bitPattern: rowArraySize), 0),
                            "SQLSetStmtAttr(ROW_ARRAY_SIZE)")
        try statement.check(SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROWS_FETCHED_PTR), rowsFetched, 0),
                            "SQLSetStmtAttr(ROWS_FETCHED_PTR)")
        try statement.check(SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_STATUS_PTR), rowStatus, 0),
                            "SQLSetStmtAttr(ROW_STATUS_PTR)")
        for (i, binding) in bindings.enumerated() {
            let ind = UnsafeMutablePointer<SQLLEN>.allocate(capacity: rowArraySize)
            indicators.append(ind)
            let size = binding.elementSize
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size * rowArraySize, alignment: 8)
            buffers.append(buffer)
            let cType: Int32
            switch binding {
            case .wide: cType = SQL_C_WCHAR
            case .narrow: cType = SQL_C_CHAR
            case .timestamp: cType = SQL_C_TYPE_TIMESTAMP
            case .date: cType = SQL_C_TYPE_DATE
            case .time: cType = SQL_C_TYPE_TIME
            }
            try statement.check(SQLBindCol(stmt, SQLUSMALLINT(i + 1), SQLSMALLINT(cType), buffer, SQLLEN(size), ind),
                                "SQLBindCol(\(i + 1))")
        }
    }

    deinit {
        // Unbind before freeing, in case the statement handle outlives the reader.
        _ = SQLFreeStmt(statement.handle, SQLUSMALLINT(SQL_UNBIND))
        _ = SQLSetStmtAttr(statement.handle, SQLINTEGER(SQL_ATTR_ROWS_FETCHED_PTR), nil, 0)
        _ = SQLSetStmtAttr(statement.handle, SQLINTEGER(SQL_ATTR_ROW_STATUS_PTR), nil, 0)
        _ = SQLSetStmtAttr(statement.handle, SQLINTEGER(SQL_ATTR_ROW_ARRAY_SIZE), UnsafeMutableRawPointer(bitPattern: 1), 0)
        for b in buffers { b.deallocate() }
        for i in indicators { i.deallocate() }
        rowsFetched.deallocate()
        rowStatus.deallocate()
    }

    static func binding(for column: ODBCColumnDescription, maxBoundCharacters: Int) -> Binding {
        let t = Int32(column.sqlType)
        let long = column.size <= 0 || column.size > maxBoundCharacters
        switch t {
        case SQL_TYPE_TIMESTAMP, SQL_TIMESTAMP: return .timestamp
        case SQL_TYPE_DATE, SQL_DATE: return .date
        case SQL_TYPE_TIME, SQL_TIME: return .time
        case SQL_WCHAR, SQL_WVARCHAR, SQL_WLONGVARCHAR:
            return long ? .wide(units: maxBoundCharacters, capped: true) : .wide(units: column.size, capped: false)
        case SQL_CHAR, SQL_VARCHAR, SQL_LONGVARCHAR:
            return long ? .narrow(bytes: maxBoundCharacters * 2, capped: true) : .narrow(bytes: column.size * 4, capped: false)
        case SQL_BINARY, SQL_VARBINARY, SQL_LONGVARBINARY:
            return long ? .narrow(bytes: maxBoundCharacters, capped: true) : .narrow(bytes: column.size * 2 + 8, capped: false)
        default:
            // Numbers, GUIDs, intervals, SQL Server's time2/datetimeoffset: their text.
            return .narrow(bytes: min(max(column.size + 8, 64), 1_024), capped: true)
        }
    }

    /// Fetches the next rowset; returns how many rows it holds (0 at the end).
    /// Throws `ODBCCallError` when the fetch fails (connection lost, timeout).
    func fetch() throws -> Int {
        let rc = SQLFetch(statement.handle)
        if rc == SQLRETURN(SQL_NO_DATA) { return 0 }
        try statement.check(rc, "SQLFetch")
        return Int(rowsFetched.pointee)
    }

    /// True when the driver flagged the row as failed (`SQL_ROW_ERROR`).
    func rowFailed(_ row: Int) -> Bool { rowStatus[row] == SQLUSMALLINT(SQL_ROW_ERROR) }

    /// The cell at `row` (within the current rowset) and `column` (0-based).
    func value(row: Int, column: Int) -> CellValue {
        let binding = bindings[column]
        let ind = indicators[column][row]
        if ind == SQLLEN(SQL_NULL_DATA) { return .null }
        let size = binding.elementSize
        let base = buffers[column] + row * size
        switch binding {
        case .wide(_, let capped):
            if ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > size - 2 { return capped ? reread(row: row, column: column, wide: true) : .truncated }
            let units = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt16.self), count: Int(ind) / 2)
            return TextDecoding.utf16(units).map(CellValue.text) ?? .invalidText
        case .narrow(_, let capped):
            if ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > size - 1 { return capped ? reread(row: row, column: column, wide: false) : .truncated }
            let bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: Int(ind))
            return TextDecoding.utf8(bytes).map(CellValue.text) ?? .invalidText
        case .timestamp:
            let ts = base.load(as: SQL_TIMESTAMP_STRUCT.self)
            return .timestamp(WallClock(date: CivilDate(year: Int(ts.year), month: Int(ts.month), day: Int(ts.day)),
                                            hour: Int(ts.hour), minute: Int(ts.minute), second: Int(ts.second)))
        case .date:
            let d = base.load(as: SQL_DATE_STRUCT.self)
            return .date(CivilDate(year: Int(d.year), month: Int(d.month), day: Int(d.day)))
        case .time:
            let t = base.load(as: SQL_TIME_STRUCT.self)
            return .time(LocalTime(hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second)))
        }
    }

    /// Reads a value longer than its bound buffer: positions the cursor on `row` and reads the
    /// column with `SQLGetData`.
    private func reread(row: Int, column: Int, wide: Bool) -> CellValue {
        if rowArraySize > 1 {
            let rc = SQLSetPos(statement.handle, SQLSETPOSIROW(row + 1), SQLUSMALLINT(SQL_POSITION),
                               SQLUSMALLINT(SQL_LOCK_NO_CHANGE))
            guard rc == SQLRETURN(SQL_SUCCESS) || rc == SQLRETURN(SQL_SUCCESS_WITH_INFO) else {
                positioningFailed = true
                return .truncated
            }
        }
        return (try? getData(column: column + 1, wide: wide)) ?? .truncated
    }

    /// Reads a whole unbound column of the current row with repeated `SQLGetData` calls.
    private func getData(column: Int, wide: Bool) throws -> CellValue {
        var collected: [UInt8] = []
        let chunk = 16_384
        var buffer = [UInt8](repeating: 0, count: chunk + 2)
        let terminator = wide ? 2 : 1
        while true {
            var ind: SQLLEN = 0
            let rc = SQLGetData(statement.handle, SQLUSMALLINT(column), SQLSMALLINT(wide ? SQL_C_WCHAR : SQL_C_CHAR),
                                &buffer, SQLLEN(chunk), &ind)
            if rc == SQLRETURN(SQL_NO_DATA) { break }
            try statement.check(rc, "SQLGetData(\(column))")
            if ind == SQLLEN(SQL_NULL_DATA) { return .null }
            let available = (ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > chunk - terminator) ? chunk - terminator : Int(ind)
            collected.append(contentsOf: buffer[0..<available])
            if rc == SQLRETURN(SQL_SUCCESS) { break }
        }
        if wide {
            let units = stride(from: 0, to: collected.count - 1, by: 2).map {
                UInt16(collected[$0]) | UInt16(collected[$0 + 1]) << 8
            }
            return units.withUnsafeBufferPointer(TextDecoding.utf16).map(CellValue.text) ?? .invalidText
        }
        return collected.withUnsafeBufferPointer(TextDecoding.utf8).map(CellValue.text) ?? .invalidText
    }
}
