import AlmanacCore
import CODBC
import RowMapping

/// Reads a result set with a block cursor: every column bound once (`SQLBindCol`), rows fetched
/// `rowArraySize` at a time (`SQL_ATTR_ROW_ARRAY_SIZE`). Columns the driver declares longer
/// than `maxBoundCharacters` (or of unknown length: TEXT, CLOB) are bound with a buffer of that
/// size. A value that does not fit (its length indicator says more, or the fetch warns 01004,
/// string data right truncated) sets `overflowed` before any row of that rowset is handed out,
/// and the caller reads the result again: with buffers wide enough for the longest value seen
/// (`neededBytes`) when `boundBytes` kept them narrower than the column allows, else with
/// `SingleRowReader`, which takes every value in parts.
/// The cursor is never positioned inside a rowset: `SQLSetPos` + `SQLGetData` there is optional
/// in ODBC, and drivers that claim it (MariaDB's) or answer success without it (SQLite's) read
/// another row's value and skip rows.
///
/// Text of narrow columns is bound as bytes (`SQL_C_CHAR`); text of wide columns as UTF-8 bytes
/// too when the locale allows it (`ODBCTextTransfer.utf8`), else as UTF-16 (`SQL_C_WCHAR`); the
/// UTF-8 / UTF-16 is validated per cell, the UTF-8 by the fetch, which packs those values of a
/// rowset back to back (`PackedText`). Binary columns arrive as their bytes (`SQL_C_BINARY`),
/// read as UTF-8 text. Numbers arrive as their text; dates, times and timestamps as ODBC structs.
final class ResultReader: RowSource {
    enum Binding {
        case wide(units: Int)
        case narrow(bytes: Int)
        case binary(bytes: Int)
        case timestamp
        case date
        case time

        var elementSize: Int {
            switch self {
            case .wide(let units): return (units + 1) * 2
            case .narrow(let bytes): return bytes + 1
            case .binary(let bytes): return bytes
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
    /// The set `value(row:column:)` and `cell(row:column:)` read, and where it starts.
    private var current = 0
    private var currentBase: UnsafeMutableRawPointer
    /// The current set's packed text (`PackedText`): where each value starts, and the bytes.
    private var currentStarts: UnsafeMutablePointer<Int>
    private var currentText: UnsafeMutablePointer<UInt8>
    /// The columns read as UTF-8 (`Kind.utf8`), packed after each fetch.
    private let textColumns: [Int]
    /// Per column, what `cell(row:column:)` needs, flat: no enum payload to unpack per cell.
    let slots: UnsafeMutableBufferPointer<Slot>
    struct Slot {
        var data: Int
        var indicators: Int
        var size: Int
        /// Bytes a value of a variable-length binding fits; -1 for the fixed-size structs.
        var capacity: Int
        var kind: Kind
    }
    enum Kind: UInt8 { case utf8, utf16, timestamp, date, time }
    /// The widest buffer a long text column gets (`maxBoundCharacters` 2,048, as UTF-8).
    static let widestBoundBytes = 4_096
    /// Values longer than this many bytes are `.tooLong`.
    let maxValueBytes: Int
    /// A value did not fit its buffer: the rows must be read again with `SingleRowReader`.
    private(set) var overflowed = false
    /// When `overflowed`: the longest value of the rowset in bytes, when the driver said.
    private(set) var neededBytes: Int?

    /// What one fetch left in one buffer set. Touched by one thread at a time (the fetching
    /// thread until it hands the set over, then the reading one).
    final class RowsetState {
        var count = 0
        var error: Error?
        var status: [SQLUSMALLINT] = []
        /// A value did not fit its buffer, or the driver warned of truncation (01004).
        var overflowed = false
        /// When `overflowed`: the longest value in bytes (nil when the driver did not say).
        var neededBytes: Int?
        /// The UTF-8 values of the rows fetched, packed and validated.
        let packed: PackedText
        /// The rows' fingerprints (`RowFingerprints`).
        let fingerprints: RowFingerprints

        init(rows: Int, columns: Int, seed: ContentHash) {
            packed = PackedText(rows: rows, columns: columns)
            fingerprints = RowFingerprints(rows: rows, seed: seed)
        }
    }

    /// Describes and binds the executed statement's result columns. With `pipelined`, a thread
    /// of the reader's own fetches the next rowset into a second buffer set while the caller
    /// maps the current one (call `finish()` before reusing the statement). `boundBytes` bounds
    /// the buffer of every text and binary column further: a driver may copy a value padded to
    /// its whole buffer (the SQLite3 driver's `strncpy`), so buffers no wider than the values cost
    /// less per row.
    /// Throws `ODBCCallError` when the driver rejects a binding or the array size.
    init(
        statement: ODBCStatement, rowArraySize requested: Int, maxBoundCharacters: Int = 2_048,
        boundBytes: Int = .max, maxValueBytes: Int = ODBCSettings.defaultMaxValueBytes, pipelined: Bool = false,
        text: ODBCTextTransfer = .forCurrentLocale(), fingerprintSettings: [String] = []
    ) throws {
        self.statement = statement
        self.maxValueBytes = maxValueBytes
        let count = try statement.resultColumnCount()
        var columns: [ODBCColumnDescription] = []
        for i in 1...max(count, 1) where count > 0 { columns.append(try statement.describeColumn(i)) }
        self.columns = columns
        bindings = columns.map {
            Self.binding(for: $0, maxBoundCharacters: maxBoundCharacters, text: text).capped(boundBytes)
        }
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
        currentBase = block
        slots = .allocate(capacity: bindings.count)
        var text: [Int] = []
        for (i, binding) in bindings.enumerated() {
            let kind: Kind
            switch binding {
            case .wide: kind = .utf16
            case .narrow, .binary: kind = .utf8
            case .timestamp: kind = .timestamp
            case .date: kind = .date
            case .time: kind = .time
            }
            slots[i] = Slot(
                data: data[i], indicators: inds[i], size: binding.elementSize, capacity: binding.capacity ?? -1,
                kind: kind)
            if kind == .utf8 { text.append(i) }
        }
        textColumns = text
        let (rows, columnCount) = (rowArraySize, bindings.count)
        let seed = RowFingerprints.seed(
            names: columns.map(\.name), kinds: slots.map { UInt64($0.kind.rawValue) },
            settings: ["\(maxValueBytes)"] + fingerprintSettings)
        sets = (0..<setCount).map { _ in RowsetState(rows: rows, columns: columnCount, seed: seed) }
        currentStarts = sets[0].packed.starts
        currentText = sets[0].packed.bytes
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
            case .binary: cType = SQL_C_BINARY
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
        slots.deallocate()
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

    /// Fetches into buffer set `index` and checks that every value fit its buffer; runs on the
    /// fetching thread when pipelined. Never throws: the outcome is left in `sets[index]`.
    func fetch(into index: Int) {
        let state = sets[index]
        state.overflowed = false
        state.neededBytes = nil
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
        state.overflowed =
            rc == SQLRETURN(SQL_SUCCESS_WITH_INFO)
            && ODBCDiagnostics.records(type: SQL_HANDLE_STMT, handle: statement.handle).contains(where: {
                $0.state == "01004"
            })
        // The longest value that did not fit: what buffers wide enough for this rowset need.
        var needed = 0
        var unknown = false
        let base = block + index * blockSize
        for (column, binding) in bindings.enumerated() {
            guard let capacity = binding.capacity else { continue }
            let ind = (base + indicatorOffsets[column]).assumingMemoryBound(to: SQLLEN.self)
            for row in 0..<n where ind[row] == SQLLEN(SQL_NO_TOTAL) || Int(ind[row]) > capacity {
                state.overflowed = true
                if ind[row] == SQLLEN(SQL_NO_TOTAL) { unknown = true } else { needed = max(needed, Int(ind[row])) }
            }
        }
        if state.overflowed {
            state.neededBytes = unknown || needed == 0 ? nil : needed
            return
        }
        let slots = self.slots
        let maxValueBytes = self.maxValueBytes
        state.packed.pack(
            count: n, text: textColumns,
            length: { row, column in
                let s = slots[column]
                let at = row * MemoryLayout<SQLLEN>.stride
                let ind = Int((base + s.indicators).load(fromByteOffset: at, as: SQLLEN.self))
                return ind < 0 || ind > s.capacity || ind > maxValueBytes ? nil : ind
            },
            value: { row, column in
                let s = slots[column]
                return UnsafePointer((base + s.data + row * s.size).assumingMemoryBound(to: UInt8.self))
            })
        fingerprint(state, count: n, base: base)
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
        currentBase = block + current * blockSize
        let state = sets[current]
        currentStarts = state.packed.starts
        currentText = state.packed.bytes
        if let error = state.error { throw error }
        if state.overflowed {
            overflowed = true
            neededBytes = state.neededBytes
        }
        return state.count
    }

    /// True when the driver flagged the row as failed (`SQL_ROW_ERROR`).
    func rowFailed(_ row: Int) -> Bool { sets[current].status[row] == SQLUSMALLINT(SQL_ROW_ERROR) }

    /// The fingerprint of `row` of the current rowset (`RowFingerprints`).
    func fingerprint(_ row: Int) -> UInt64? { sets[current].fingerprints.values[row] }

    /// The cell at `row` (within the current rowset) and `column` (0-based).
    func value(row: Int, column: Int) -> CellValue { CellValue(cell(row: row, column: column)) }

    /// The cell at `row` and `column` as the mapper reads it: text as its bytes in the rowset's
    /// buffer (validated, no `String` made), dates and times as values.
    func cell(row: Int, column: Int) -> Cell {
        let s = slots[column]
        let ind = Int(
            (currentBase + s.indicators).load(fromByteOffset: row * MemoryLayout<SQLLEN>.stride, as: SQLLEN.self))
        if ind == Int(SQL_NULL_DATA) { return .absent }
        let base = currentBase + s.data + row * s.size
        if s.capacity >= 0 {
            if ind == Int(SQL_NO_TOTAL) || ind > s.capacity { return .truncated }
            if ind > maxValueBytes { return .tooLong(maxValueBytes) }
        }
        switch s.kind {
        case .utf8:
            // Packed and validated by the fetch (`PackedText`).
            let start = currentStarts[row * slots.count + column]
            guard start != PackedText.invalid else { return .invalidText }
            return .text(UnsafeBufferPointer(start: currentText + start, count: ind))
        case .utf16:
            let units = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt16.self), count: ind / 2)
            return TextDecoding.utf16(units).map(Cell.string) ?? .invalidText
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

    /// Holds the reader strongly: used only while the reader is (the connector's read of a result).
    var cellReader: CellRow.Reader {
        CellRow.Reader(
            count: columns.count, cell: { self.cell(row: $0, column: $1) },
            hasText: { self.hasText(row: $0, column: $1) })
    }

    /// Whether the cell is text of at least one byte (or one that cannot be read).
    func hasText(row: Int, column: Int) -> Bool {
        let s = slots[column]
        guard s.kind == .utf8 || s.kind == .utf16 else { return false }
        let ind = (currentBase + s.indicators).load(fromByteOffset: row * MemoryLayout<SQLLEN>.stride, as: SQLLEN.self)
        return ind != 0 && ind != SQLLEN(SQL_NULL_DATA)
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
                return .wide(units: long ? maxBoundCharacters : column.size * 2)
            }
            return .narrow(bytes: long ? maxBoundCharacters * 2 : column.size * 4)
        case SQL_BINARY, SQL_VARBINARY, SQL_LONGVARBINARY:
            return .binary(bytes: long ? maxBoundCharacters * 2 : column.size)
        default:
            // Numbers, GUIDs, intervals, SQL Server's time2/datetimeoffset: their text.
            return .narrow(bytes: min(max(column.size + 8, 64), 1_024))
        }
    }
}
