// The driver floor: the same query, driver and chunks as the connector, read with a bare bound
// row-array loop straight on the ODBC API. Every cell's indicator and first bytes are touched; no
// String, no event. What the connector costs beyond this is the connector's own overhead.
import CODBC
import Foundation
import ODBCConnector

/// How the floor binds the result columns.
enum FloorBinding {
    /// As the connector does: TIMESTAMP/DATE/TIME as ODBC structs, numbers as `SQL_C_CHAR` text,
    /// text columns as UTF-8 (`SQL_C_CHAR`) or UTF-16 (`SQL_C_WCHAR`) by the transfer given.
    case connector(ODBCTextTransfer)
    /// Everything as UTF-16 text (what a driver returns with no conversion to a struct).
    case text

    var description: String {
        switch self {
        case .connector(.utf8): return "timestamps as structs, text and numbers as SQL_C_CHAR (UTF-8)"
        case .connector(.utf16): return "timestamps as structs, text as SQL_C_WCHAR (UTF-16), numbers as SQL_C_CHAR"
        case .text: return "every column as SQL_C_WCHAR (UTF-16)"
        }
    }
}

struct FloorResult {
    var rows: Int
    var checksum: Int
}

/// Reads the window chunk by chunk on a connection of its own. Exits the process on any ODBC
/// failure (a benchmark has nobody to report to).
func driverFloor(
    connectionString: String, query: String, start: Date, end: Date, chunkDays: Int, rowArraySize: Int,
    binding: FloorBinding
) -> FloorResult {
    func ok(_ rc: SQLRETURN, _ what: String) {
        if rc != SQLRETURN(SQL_SUCCESS) && rc != SQLRETURN(SQL_SUCCESS_WITH_INFO) {
            FileHandle.standardError.write("driver floor: \(what) failed (\(rc))\n".data(using: .utf8)!)
            exit(1)
        }
    }
    var env: SQLHENV?
    ok(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_ENV), nil, &env), "SQLAllocHandle(ENV)")
    ok(
        SQLSetEnvAttr(
            env, SQLINTEGER(SQL_ATTR_ODBC_VERSION), UnsafeMutableRawPointer(bitPattern: Int(SQL_OV_ODBC3)), 0),
        "SQLSetEnvAttr")
    var dbc: SQLHDBC?
    ok(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_DBC), env, &dbc), "SQLAllocHandle(DBC)")
    var cs = Array(connectionString.utf8).map { SQLCHAR($0) }
    ok(
        SQLDriverConnect(dbc, nil, &cs, SQLSMALLINT(cs.count), nil, 0, nil, SQLUSMALLINT(SQL_DRIVER_NOPROMPT)),
        "SQLDriverConnect")
    ok(
        SQLSetConnectAttr(
            dbc, SQLINTEGER(SQL_ATTR_AUTOCOMMIT), UnsafeMutableRawPointer(bitPattern: Int(SQL_AUTOCOMMIT_OFF)), 0),
        "SQLSetConnectAttr(AUTOCOMMIT)")
    var stmt: SQLHSTMT?
    ok(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_STMT), dbc, &stmt), "SQLAllocHandle(STMT)")
    var sql = Array(query.utf8).map { SQLCHAR($0) }
    ok(SQLPrepare(stmt, &sql, SQLINTEGER(sql.count)), "SQLPrepare")

    let params = UnsafeMutablePointer<SQL_TIMESTAMP_STRUCT>.allocate(capacity: 2)
    let paramInd = UnsafeMutablePointer<SQLLEN>.allocate(capacity: 2)
    for i in 0..<2 {
        paramInd[i] = SQLLEN(MemoryLayout<SQL_TIMESTAMP_STRUCT>.size)
        ok(
            SQLBindParameter(
                stmt, SQLUSMALLINT(i + 1), SQLSMALLINT(SQL_PARAM_INPUT), SQLSMALLINT(SQL_C_TYPE_TIMESTAMP),
                SQLSMALLINT(SQL_TYPE_TIMESTAMP), 19, 0, params + i, 0, paramInd + i),
            "SQLBindParameter")
    }
    ok(
        SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROW_ARRAY_SIZE), UnsafeMutableRawPointer(bitPattern: rowArraySize), 0),
        "SQLSetStmtAttr(ROW_ARRAY_SIZE)")
    let fetched = UnsafeMutablePointer<SQLULEN>.allocate(capacity: 1)
    ok(SQLSetStmtAttr(stmt, SQLINTEGER(SQL_ATTR_ROWS_FETCHED_PTR), fetched, 0), "SQLSetStmtAttr(ROWS_FETCHED_PTR)")

    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    func set(_ p: UnsafeMutablePointer<SQL_TIMESTAMP_STRUCT>, _ d: Date) {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        p.pointee = SQL_TIMESTAMP_STRUCT(
            year: SQLSMALLINT(c.year!), month: SQLUSMALLINT(c.month!), day: SQLUSMALLINT(c.day!),
            hour: SQLUSMALLINT(c.hour!), minute: SQLUSMALLINT(c.minute!), second: SQLUSMALLINT(c.second!), fraction: 0)
    }

    // Column buffers, bound after the first execute (when the result is described).
    var buffers: [(data: UnsafeMutableRawPointer, size: Int, ind: UnsafeMutablePointer<SQLLEN>)] = []
    var result = FloorResult(rows: 0, checksum: 0)
    var chunkStart = start
    while chunkStart < end {
        let chunkEnd = min(end, chunkStart.addingTimeInterval(Double(chunkDays) * 86_400))
        set(params, chunkStart)
        set(params + 1, chunkEnd)
        ok(SQLExecute(stmt), "SQLExecute")
        if buffers.isEmpty {
            var count: SQLSMALLINT = 0
            ok(SQLNumResultCols(stmt, &count), "SQLNumResultCols")
            for c in 1...Int(count) {
                var type: SQLSMALLINT = 0
                var size: SQLULEN = 0
                var digits: SQLSMALLINT = 0
                var nullable: SQLSMALLINT = 0
                ok(
                    SQLDescribeCol(stmt, SQLUSMALLINT(c), nil, 0, nil, &type, &size, &digits, &nullable),
                    "SQLDescribeCol")
                // The sizes are the connector's (ResultReader.binding); no column here is long.
                let cType: Int32
                let elementSize: Int
                let textual = [SQL_WCHAR, SQL_WVARCHAR, SQL_WLONGVARCHAR, SQL_CHAR, SQL_VARCHAR, SQL_LONGVARCHAR]
                    .contains(Int32(type))
                switch binding {
                case .text:
                    (cType, elementSize) = (SQL_C_WCHAR, textual ? (Int(size) + 1) * 2 : 128)
                case .connector(let transfer):
                    if Int32(type) == SQL_TYPE_TIMESTAMP {
                        (cType, elementSize) = (SQL_C_TYPE_TIMESTAMP, MemoryLayout<SQL_TIMESTAMP_STRUCT>.stride)
                    } else if textual && transfer == .utf16 {
                        (cType, elementSize) = (SQL_C_WCHAR, (Int(size) * 2 + 1) * 2)
                    } else if textual {
                        (cType, elementSize) = (SQL_C_CHAR, Int(size) * 4 + 1)
                    } else {
                        (cType, elementSize) = (SQL_C_CHAR, min(max(Int(size) + 8, 64), 1_024) + 1)
                    }
                }
                let data = UnsafeMutableRawPointer.allocate(byteCount: elementSize * rowArraySize, alignment: 16)
                let ind = UnsafeMutablePointer<SQLLEN>.allocate(capacity: rowArraySize)
                buffers.append((data, elementSize, ind))
                ok(
                    SQLBindCol(stmt, SQLUSMALLINT(c), SQLSMALLINT(cType), data, SQLLEN(elementSize), ind),
                    "SQLBindCol")
            }
        }
        while true {
            let rc = SQLFetch(stmt)
            if rc == SQLRETURN(SQL_NO_DATA) { break }
            ok(rc, "SQLFetch")
            let n = Int(fetched.pointee)
            result.rows += n
            for (data, size, ind) in buffers {
                for row in 0..<n where ind[row] >= 0 {
                    result.checksum &+= Int(ind[row]) &+ Int(data.load(fromByteOffset: row * size, as: UInt8.self))
                }
            }
        }
        ok(SQLCloseCursor(stmt), "SQLCloseCursor")
        ok(SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), dbc, SQLSMALLINT(SQL_COMMIT)), "SQLEndTran")
        chunkStart = chunkEnd
    }
    SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), stmt)
    SQLDisconnect(dbc)
    SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), dbc)
    SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), env)
    for (data, _, ind) in buffers {
        data.deallocate()
        ind.deallocate()
    }
    params.deallocate()
    paramInd.deallocate()
    fetched.deallocate()
    return result
}
