import AlmanacCore
import CODBC
import RowMapping

/// A value bound to a `?` marker, with its ODBC C and SQL types. Values are always bound,
/// never spliced into SQL text.
enum ODBCParameter: Hashable {
    case text(String?)
    case timestamp(WallClock?)
    case date(CivilDate?)
    case bool(Bool?)
    case integer(Int?)

    struct Buffer {
        var pointer: UnsafeMutableRawPointer
        var length: SQLLEN
        var indicator: SQLLEN
        var cType: SQLSMALLINT
        var sqlType: SQLSMALLINT
        var columnSize: SQLULEN
        var decimalDigits: SQLSMALLINT
    }

    /// Allocates the parameter's buffer (the statement frees it).
    func makeBuffer() -> Buffer {
        switch self {
        case .text(let s):
            let units = Array((s ?? "").utf16)
            let p = UnsafeMutableRawPointer.allocate(byteCount: (units.count + 1) * 2, alignment: 2)
            let typed = p.bindMemory(to: SQLWCHAR.self, capacity: units.count + 1)
            for (i, u) in units.enumerated() { typed[i] = u }
            typed[units.count] = 0
            return Buffer(
                pointer: p, length: SQLLEN(units.count * 2),
                indicator: s == nil ? SQLLEN(SQL_NULL_DATA) : SQLLEN(units.count * 2),
                cType: SQLSMALLINT(SQL_C_WCHAR), sqlType: SQLSMALLINT(SQL_WVARCHAR),
                columnSize: SQLULEN(max(units.count, 1)), decimalDigits: 0)
        case .timestamp(let t):
            let p = UnsafeMutableRawPointer.allocate(
                byteCount: MemoryLayout<SQL_TIMESTAMP_STRUCT>.size,
                alignment: MemoryLayout<SQL_TIMESTAMP_STRUCT>.alignment)
            let v = t ?? WallClock(date: CivilDate(year: 1900, month: 1, day: 1), hour: 0, minute: 0, second: 0)
            p.storeBytes(
                of: SQL_TIMESTAMP_STRUCT(
                    year: SQLSMALLINT(v.date.year), month: SQLUSMALLINT(v.date.month),
                    day: SQLUSMALLINT(v.date.day), hour: SQLUSMALLINT(v.hour),
                    minute: SQLUSMALLINT(v.minute), second: SQLUSMALLINT(v.second),
                    fraction: 0),
                as: SQL_TIMESTAMP_STRUCT.self)
            return Buffer(
                pointer: p, length: SQLLEN(MemoryLayout<SQL_TIMESTAMP_STRUCT>.size),
                indicator: t == nil ? SQLLEN(SQL_NULL_DATA) : SQLLEN(MemoryLayout<SQL_TIMESTAMP_STRUCT>.size),
                cType: SQLSMALLINT(SQL_C_TYPE_TIMESTAMP), sqlType: SQLSMALLINT(SQL_TYPE_TIMESTAMP),
                columnSize: 19, decimalDigits: 0)
        case .date(let d):
            let size = MemoryLayout<SQL_DATE_STRUCT>.size
            let p = UnsafeMutableRawPointer.allocate(
                byteCount: size, alignment: MemoryLayout<SQL_DATE_STRUCT>.alignment)
            let v = d ?? CivilDate(year: 1900, month: 1, day: 1)
            p.storeBytes(
                of: SQL_DATE_STRUCT(year: SQLSMALLINT(v.year), month: SQLUSMALLINT(v.month), day: SQLUSMALLINT(v.day)),
                as: SQL_DATE_STRUCT.self)
            return Buffer(
                pointer: p, length: SQLLEN(size), indicator: d == nil ? SQLLEN(SQL_NULL_DATA) : SQLLEN(size),
                cType: SQLSMALLINT(SQL_C_TYPE_DATE), sqlType: SQLSMALLINT(SQL_TYPE_DATE), columnSize: 10,
                decimalDigits: 0)
        case .bool(let b):
            let p = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
            p.storeBytes(of: UInt8(b == true ? 1 : 0), as: UInt8.self)
            return Buffer(
                pointer: p, length: 1, indicator: b == nil ? SQLLEN(SQL_NULL_DATA) : 1,
                cType: SQLSMALLINT(SQL_C_BIT), sqlType: SQLSMALLINT(SQL_BIT), columnSize: 1, decimalDigits: 0)
        case .integer(let i):
            let p = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
            p.storeBytes(of: Int64(i ?? 0), as: Int64.self)
            // SQL_C_SBIGINT = SQL_BIGINT + SQL_SIGNED_OFFSET (the macro is not imported).
            return Buffer(
                pointer: p, length: 8, indicator: i == nil ? SQLLEN(SQL_NULL_DATA) : 8,
                cType: SQLSMALLINT(SQL_BIGINT + SQL_SIGNED_OFFSET), sqlType: SQLSMALLINT(SQL_BIGINT),
                columnSize: 19, decimalDigits: 0)
        }
    }
}
