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
/// Text of narrow columns is bound as bytes (`SQL_C_CHAR`); text of wide columns as UTF-8 bytes
/// too when the locale allows it (`ODBCTextTransfer.utf8`), else as UTF-16 (`SQL_C_WCHAR`); the
/// UTF-8 / UTF-16 is validated per cell. Numbers arrive as their text; dates, times and
/// timestamps as ODBC structs.
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
    /// One block per rowset buffer set: each column's values, then its indicators.
    private let block: UnsafeMutableRawPointer
    private let blockSize: Int
    private let dataOffsets: [Int]
    private let indicatorOffsets: [Int]
    /// Shifts every bound address to the set being fetched into (`SQL_ATTR_ROW_BIND_OFFSET_PTR`).
    private let bindOffset = UnsafeMutablePointer<SQLLEN>.allocate(capacity: 1)
    private let rowsFetched = UnsafeMutablePointer<SQLULEN>.allocate(capacity: 1)
    private let rowStatus: UnsafeMutablePointer<SQLUSMALLINT>
    private let sets: [RowsetState]
    private var pipeline: FetchPipeline?
    /// The set `value(row:column:)` reads.
    private var current = 0
    /// A long value could not be re-read because the driver cannot position in a rowset.
    private(set) var positioningFailed = false

    /// What one fetch left in one buffer set. Touched by one thread at a time (the fetching
    /// thread until it hands the set over, then the reading one).
    final class RowsetState {
        var count = 0
        var error: Error?
        var status: [SQLUSMALLINT] = []
        /// Values longer than their bound buffer, read whole right after the fetch: row·columns + column.
        var overflow: [Int: CellValue] = [:]
        var positioningFailed = false
    }

    /// Describes and binds the executed statement's result columns. With `pipelined`, a thread
    /// of the reader's own fetches the next rowset into a second buffer set while the caller
    /// maps the current one (call `finish()` before reusing the statement).
    /// Throws `ODBCCallError` when the driver rejects a binding or the array size.
    init(
        statement: ODBCStatement, rowArraySize requested: Int, maxBoundCharacters: Int = 2_048,
        pipelined: Bool = false, text: ODBCTextTransfer = .forCurrentLocale()
    ) throws {
        self.statement = statement
        let count = try statement.resultColumnCount()
        var columns: [ODBCColumnDescription] = []
        for i in 1...max(count, 1) where count > 0 { columns.append(try statement.describeColumn(i)) }
        self.columns = columns
        bindings = columns.map { Self.binding(for: $0, maxBoundCharacters: maxBoundCharacters, text: text) }
        rowArraySize = max(requested, 1)
        rowStatus = .allocate(capacity: rowArraySize)
        var offset = 0
        var data: [Int] = []
        var inds: [Int] = []
        for binding in bindings {
            data.append(offset)
            offset += (binding.elementSize * rowArraySize + 7) & ~7
            inds.append(offset)
            offset += MemoryLayout<SQLLEN>.stride * rowArraySize
        }
        dataOffsets = data
        indicatorOffsets = inds
        blockSize = max(offset, 8)
        let setCount = pipelined && rowArraySize > 1 ? 2 : 1
        block = .allocate(byteCount: blockSize * setCount, alignment: 16)
        sets = (0..<setCount).map { _ in RowsetState() }
        bindOffset.pointee = 0
        let stmt = statement.handle
        try statement.check(
            SQLSetStmtAttr(
                stmt, SQLINTEGER(SQL_ATTR_ROW_BIND_TYPE),
                UnsafeMutableRawPointer(bitPattern: Int(SQL_BIND_BY_COLUMN)), 0),
            "SQLSetStmtAttr(ROW_BIND_TYPE)")
        try statement.check(
            SQLSetStmtAttr(
                stmt, SQLINTEGER(SQL_ATTR_ROW_ARRAY_SIZE),
                UnsafeMutableRawPointer(bitPattern: rowArraySize), 0),
            "SQLSetStmtAttr(ROW_ARRAY_SIZE)")
        try statement.check(
            SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROWS_FETCHED_PTR), rowsFetched, 0),
            "SQLSetStmtAttr(ROWS_FETCHED_PTR)")
        try statement.check(
            SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_STATUS_PTR), rowStatus, 0),
            "SQLSetStmtAttr(ROW_STATUS_PTR)")
        // A driver without bind offsets reads without the pipeline.
        var usePipeline = setCount > 1
        if usePipeline {
            let rc = SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_BIND_OFFSET_PTR), bindOffset, 0)
            usePipeline = rc == SQLRETURN(SQL_SUCCESS) || rc == SQLRETURN(SQL_SUCCESS_WITH_INFO)
        }
        for (i, binding) in bindings.enumerated() {
            let cType: Int32
            switch binding {
            case .wide: cType = SQL_C_WCHAR
            case .narrow: cType = SQL_C_CHAR
            case .timestamp: cType = SQL_C_TYPE_TIMESTAMP
            case .date: cType = SQL_C_TYPE_DATE
            case .time: cType = SQL_C_TYPE_TIME
            }
            try statement.check(
                SQLBindCol(
                    stmt, SQLUSMALLINT(i + 1), SQLSMALLINT(cType), block + dataOffsets[i],
                    SQLLEN(binding.elementSize),
                    (block + indicatorOffsets[i]).assumingMemoryBound(to: SQLLEN.self)),
                "SQLBindCol(\(i + 1))")
        }
        if usePipeline { pipeline = FetchPipeline(reader: self) }
    }

    deinit {
        finish()
        // Unbind before freeing, in case the statement handle outlives the reader.
        _ = SQLFreeStmt(statement.handle, SQLUSMALLINT(SQL_UNBIND))
        _ = SQLSetStmtAttr(statement.handle, SQLINTEGER(SQL_ATTR_ROWS_FETCHED_PTR), nil, 0)
        _ = SQLSetStmtAttr(statement.handle, SQLINTEGER(SQL_ATTR_ROW_STATUS_PTR), nil, 0)
        _ = SQLSetStmtAttr(statement.handle, SQLINTEGER(SQL_ATTR_ROW_BIND_OFFSET_PTR), nil, 0)
        _ = SQLSetStmtAttr(
            statement.handle, SQLINTEGER(SQL_ATTR_ROW_ARRAY_SIZE), UnsafeMutableRawPointer(bitPattern: 1), 0)
        block.deallocate()
        bindOffset.deallocate()
        rowsFetched.deallocate()
        rowStatus.deallocate()
    }

    /// Stops the fetching thread, if any, and waits for it. Idempotent.
    func finish() {
        pipeline?.stop()
        pipeline = nil
    }

    func setState(_ index: Int) -> RowsetState { sets[index] }

    /// Fetches into buffer set `index` and reads over-long values; runs on the fetching thread
    /// when pipelined. Never throws: the outcome is left in `sets[index]`.
    func fetch(into index: Int) {
        let state = sets[index]
        state.overflow = [:]
        state.error = nil
        state.count = 0
        bindOffset.pointee = SQLLEN(index * blockSize)
        let rc = SQLFetch(statement.handle)
        if rc == SQLRETURN(SQL_NO_DATA) { return }
        do {
            try statement.check(rc, "SQLFetch")
        } catch {
            state.error = error
            return
        }
        let n = Int(rowsFetched.pointee)
        state.count = n
        state.status = Array(UnsafeBufferPointer(start: rowStatus, count: n))
        let base = block + index * blockSize
        for (column, binding) in bindings.enumerated() {
            let wide: Bool
            switch binding {
            case .wide(_, true): wide = true
            case .narrow(_, true): wide = false
            default: continue
            }
            let size = binding.elementSize
            let ind = (base + indicatorOffsets[column]).assumingMemoryBound(to: SQLLEN.self)
            for row in 0..<n where ind[row] == SQLLEN(SQL_NO_TOTAL) || Int(ind[row]) > size - (wide ? 2 : 1) {
                let value = reread(row: row, column: column, wide: wide)
                if case .truncated = value, rowArraySize > 1 { state.positioningFailed = true }
                state.overflow[row * bindings.count + column] = value
            }
        }
    }

    /// Fetches the next rowset; returns how many rows it holds (0 at the end).
    /// Throws `ODBCCallError` when the fetch fails (connection lost, timeout).
    func fetch() throws -> Int {
        if let pipeline {
            current = pipeline.next()
        } else {
            fetch(into: 0)
            current = 0
        }
        let state = sets[current]
        if let error = state.error { throw error }
        if state.positioningFailed { positioningFailed = true }
        return state.count
    }

    /// True when the driver flagged the row as failed (`SQL_ROW_ERROR`).
    func rowFailed(_ row: Int) -> Bool { sets[current].status[row] == SQLUSMALLINT(SQL_ROW_ERROR) }

    /// The cell at `row` (within the current rowset) and `column` (0-based).
    func value(row: Int, column: Int) -> CellValue {
        let binding = bindings[column]
        let setBase = block + current * blockSize
        let ind = (setBase + indicatorOffsets[column]).assumingMemoryBound(to: SQLLEN.self)[row]
        if ind == SQLLEN(SQL_NULL_DATA) { return .null }
        let size = binding.elementSize
        let base = setBase + dataOffsets[column] + row * size
        switch binding {
        case .wide(_, let capped):
            if ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > size - 2 {
                return capped ? sets[current].overflow[row * bindings.count + column] ?? .truncated : .truncated
            }
            let units = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt16.self), count: Int(ind) / 2)
            return TextDecoding.utf16(units).map(CellValue.text) ?? .invalidText
        case .narrow(_, let capped):
            if ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > size - 1 {
                return capped ? sets[current].overflow[row * bindings.count + column] ?? .truncated : .truncated
            }
            let bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: Int(ind))
            return TextDecoding.utf8(bytes).map(CellValue.text) ?? .invalidText
        case .timestamp:
            let ts = base.load(as: SQL_TIMESTAMP_STRUCT.self)
            return .timestamp(
                WallClock(
                    date: CivilDate(year: Int(ts.year), month: Int(ts.month), day: Int(ts.day)),
                    hour: Int(ts.hour), minute: Int(ts.minute), second: Int(ts.second)))
        case .date:
            let d = base.load(as: SQL_DATE_STRUCT.self)
            return .date(CivilDate(year: Int(d.year), month: Int(d.month), day: Int(d.day)))
        case .time:
            let t = base.load(as: SQL_TIME_STRUCT.self)
            return .time(LocalTime(hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second)))
        }
    }

    /// How a column is bound. `column.size` counts characters; a character takes up to 4 UTF-8
    /// bytes, and up to 2 UTF-16 units.
    static func binding(
        for column: ODBCColumnDescription, maxBoundCharacters: Int, text: ODBCTextTransfer
    ) -> Binding {
        let t = Int32(column.sqlType)
        let long = column.size <= 0 || column.size > maxBoundCharacters
        switch t {
        case SQL_TYPE_TIMESTAMP, SQL_TIMESTAMP: return .timestamp
        case SQL_TYPE_DATE, SQL_DATE: return .date
        case SQL_TYPE_TIME, SQL_TIME: return .time
        case SQL_WCHAR, SQL_WVARCHAR, SQL_WLONGVARCHAR, SQL_CHAR, SQL_VARCHAR, SQL_LONGVARCHAR:
            let wide = t == SQL_WCHAR || t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR
            if wide && text == .utf16 {
                return long ? .wide(units: maxBoundCharacters, capped: true) : .wide(units: column.size * 2, capped: false)
            }
            return long
                ? .narrow(bytes: maxBoundCharacters * 2, capped: true) : .narrow(bytes: column.size * 4, capped: false)
        case SQL_BINARY, SQL_VARBINARY, SQL_LONGVARBINARY:
            return long
                ? .narrow(bytes: maxBoundCharacters, capped: true) : .narrow(bytes: column.size * 2 + 8, capped: false)
        default:
            // Numbers, GUIDs, intervals, SQL Server's time2/datetimeoffset: their text.
            return .narrow(bytes: min(max(column.size + 8, 64), 1_024), capped: true)
        }
    }

    /// Reads a value longer than its bound buffer: positions the cursor on `row` and reads the
    /// column with `SQLGetData`.
    private func reread(row: Int, column: Int, wide: Bool) -> CellValue {
        if rowArraySize > 1 {
            let rc = SQLSetPos(
                statement.handle, SQLSETPOSIROW(row + 1), SQLUSMALLINT(SQL_POSITION),
                SQLUSMALLINT(SQL_LOCK_NO_CHANGE))
            guard rc == SQLRETURN(SQL_SUCCESS) || rc == SQLRETURN(SQL_SUCCESS_WITH_INFO) else { return .truncated }
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
            let rc = SQLGetData(
                statement.handle, SQLUSMALLINT(column), SQLSMALLINT(wide ? SQL_C_WCHAR : SQL_C_CHAR),
                &buffer, SQLLEN(chunk), &ind)
            if rc == SQLRETURN(SQL_NO_DATA) { break }
            try statement.check(rc, "SQLGetData(\(column))")
            if ind == SQLLEN(SQL_NULL_DATA) { return .null }
            let available =
                (ind == SQLLEN(SQL_NO_TOTAL) || Int(ind) > chunk - terminator) ? chunk - terminator : Int(ind)
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
