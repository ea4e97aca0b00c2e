import CODBC
import Foundation

/// An ODBC environment handle (ODBC 3 behaviour). Owns nothing but itself.
final class ODBCEnvironment {
    let handle: SQLHENV

    /// unixODBC converts between the wide (UTF-16) calls almanac makes and the narrow calls of
    /// ANSI-only drivers (the SQLite3 driver is one) with iconv's "char" encoding, i.e. the
    /// process's LC_CTYPE. A Swift process starts in the "C" locale (ASCII), which mangles every
    /// non-ASCII character on the way; so, once per process and only when LC_CTYPE is not
    /// already UTF-8, LC_CTYPE is set to C.UTF-8 before the first environment is allocated.
    private static let utf8CharacterType: Void = {
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        if codeset.uppercased().replacingOccurrences(of: "-", with: "") != "UTF8" {
            if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "en_US.UTF-8") }
        }
    }()

    /// Throws `ODBCCallError` when the driver manager cannot allocate an environment.
    init() throws {
        Self.utf8CharacterType
        var env: SQLHANDLE?
        let rc = SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_ENV), nil, &env)
        guard rc == SQLRETURN(SQL_SUCCESS) || rc == SQLRETURN(SQL_SUCCESS_WITH_INFO), let env else {
            throw ODBCCallError(call: "SQLAllocHandle(ENV)", records: [])
        }
        handle = env
        try ODBCDiagnostics.check(
            SQLSetEnvAttr(
                env, SQLINTEGER(SQL_ATTR_ODBC_VERSION), UnsafeMutableRawPointer(bitPattern: Int(SQL_OV_ODBC3)), 0),
            "SQLSetEnvAttr(ODBC_VERSION)", type: SQL_HANDLE_ENV, handle: env)
    }

    deinit { SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), handle) }

    /// The driver names registered with the driver manager (`odbcinst.ini`), via `SQLDrivers`.
    func installedDrivers() -> [String] {
        installedNames { buffer, length, direction in
            var attrLength: SQLSMALLINT = 0
            var attrs = [SQLCHAR](repeating: 0, count: 2)
            return SQLDrivers(handle, direction, buffer, 512, length, &attrs, 0, &attrLength)
        }
    }

    /// The DSNs defined for this user and system, via `SQLDataSources`.
    func dataSources() -> [String] {
        installedNames { buffer, length, direction in
            var descLength: SQLSMALLINT = 0
            var desc = [SQLCHAR](repeating: 0, count: 256)
            return SQLDataSources(handle, direction, buffer, 512, length, &desc, 256, &descLength)
        }
    }

    private func installedNames(
        _ call: (UnsafeMutablePointer<SQLCHAR>, UnsafeMutablePointer<SQLSMALLINT>, SQLUSMALLINT) -> SQLRETURN
    ) -> [String] {
        var names: [String] = []
        var direction = SQLUSMALLINT(SQL_FETCH_FIRST)
        var buffer = [SQLCHAR](repeating: 0, count: 513)
        var length: SQLSMALLINT = 0
        while true {
            let rc = call(&buffer, &length, direction)
            guard rc == SQLRETURN(SQL_SUCCESS) || rc == SQLRETURN(SQL_SUCCESS_WITH_INFO) else { break }
            names.append(String(decoding: buffer.prefix(min(Int(length), 512)), as: UTF8.self))
            direction = SQLUSMALLINT(SQL_FETCH_NEXT)
        }
        return names
    }
}

/// A connection handle. Not thread-safe: the connector calls it from one thread at a time.
final class ODBCConnection {
    let environment: ODBCEnvironment
    let handle: SQLHDBC
    private(set) var isConnected = false

    init(environment: ODBCEnvironment) throws {
        self.environment = environment
        var dbc: SQLHANDLE?
        try ODBCDiagnostics.check(
            SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_DBC), environment.handle, &dbc),
            "SQLAllocHandle(DBC)", type: SQL_HANDLE_ENV, handle: environment.handle)
        handle = dbc!
    }

    deinit {
        if isConnected { SQLDisconnect(handle) }
        SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), handle)
    }

    /// Connects with a complete connection string (password included) within `loginTimeout`
    /// seconds, autocommit off. Throws `ODBCCallError` with the driver's diagnostics.
    func connect(_ connectionString: String, loginTimeout: Int) throws {
        _ = SQLSetConnectAttr(
            handle, SQLINTEGER(SQL_ATTR_LOGIN_TIMEOUT),
            UnsafeMutableRawPointer(bitPattern: max(loginTimeout, 1)), 0)
        _ = SQLSetConnectAttr(
            handle, SQLINTEGER(SQL_ATTR_CONNECTION_TIMEOUT),
            UnsafeMutableRawPointer(bitPattern: max(loginTimeout, 1)), 0)
        var wide = sqlWide(connectionString)
        var outLength: SQLSMALLINT = 0
        let rc = SQLDriverConnectW(
            handle, nil, &wide, SQLSMALLINT(wide.count - 1), nil, 0, &outLength,
            SQLUSMALLINT(SQL_DRIVER_NOPROMPT))
        try ODBCDiagnostics.check(rc, "SQLDriverConnect", type: SQL_HANDLE_DBC, handle: handle)
        isConnected = true
        try ODBCDiagnostics.check(
            SQLSetConnectAttr(
                handle, SQLINTEGER(SQL_ATTR_AUTOCOMMIT),
                UnsafeMutableRawPointer(bitPattern: Int(SQL_AUTOCOMMIT_OFF)), 0),
            "SQLSetConnectAttr(AUTOCOMMIT)", type: SQL_HANDLE_DBC, handle: handle)
    }

    func disconnect() {
        if isConnected { SQLDisconnect(handle) }
        isConnected = false
    }

    /// Commits (or rolls back) the connection's open transaction.
    func endTransaction(commit: Bool) throws {
        try ODBCDiagnostics.check(
            SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), handle, SQLSMALLINT(commit ? SQL_COMMIT : SQL_ROLLBACK)),
            commit ? "SQLEndTran(COMMIT)" : "SQLEndTran(ROLLBACK)", type: SQL_HANDLE_DBC, handle: handle)
    }

    /// A new statement handle with `queryTimeout` seconds (0: none).
    func statement(queryTimeout: Int) throws -> ODBCStatement {
        try ODBCStatement(connection: self, queryTimeout: queryTimeout)
    }
}

/// A statement handle: prepare, bind, execute, fetch.
final class ODBCStatement {
    let connection: ODBCConnection
    let handle: SQLHSTMT
    /// Parameter buffers; must outlive `execute()`.
    private var parameterStorage: [UnsafeMutableRawPointer] = []
    private var parameterIndicators: UnsafeMutablePointer<SQLLEN>?

    init(connection: ODBCConnection, queryTimeout: Int) throws {
        self.connection = connection
        var stmt: SQLHANDLE?
        try ODBCDiagnostics.check(
            SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_STMT), connection.handle, &stmt),
            "SQLAllocHandle(STMT)", type: SQL_HANDLE_DBC, handle: connection.handle)
        handle = stmt!
        if queryTimeout > 0 {
            // Drivers that do not support it answer 01S02 (value changed) or HYC00: not fatal.
            _ = SQLSetStmtAttr(
                handle, SQLINTEGER(SQL_ATTR_QUERY_TIMEOUT),
                UnsafeMutableRawPointer(bitPattern: queryTimeout), 0)
        }
    }

    deinit {
        SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), handle)
        releaseParameters()
    }

    func check(_ rc: SQLRETURN, _ call: String) throws {
        try ODBCDiagnostics.check(rc, call, type: SQL_HANDLE_STMT, handle: handle)
    }

    /// Prepares `sql` (positional `?` markers only).
    func prepare(_ sql: String) throws {
        var wide = sqlWide(sql)
        try check(SQLPrepareW(handle, &wide, SQLINTEGER(wide.count - 1)), "SQLPrepare")
    }

    /// Binds `values` to markers 1…n. The buffers live until the next bind or the statement's end.
    func bind(_ values: [ODBCParameter]) throws {
        releaseParameters()
        _ = SQLFreeStmt(handle, SQLUSMALLINT(SQL_RESET_PARAMS))
        guard !values.isEmpty else { return }
        let indicators = UnsafeMutablePointer<SQLLEN>.allocate(capacity: values.count)
        parameterIndicators = indicators
        for (i, value) in values.enumerated() {
            let buffer = value.makeBuffer()
            parameterStorage.append(buffer.pointer)
            indicators[i] = buffer.indicator
            try check(
                SQLBindParameter(
                    handle, SQLUSMALLINT(i + 1), SQLSMALLINT(SQL_PARAM_INPUT), buffer.cType,
                    buffer.sqlType, buffer.columnSize, buffer.decimalDigits, buffer.pointer,
                    buffer.length, indicators + i),
                "SQLBindParameter(\(i + 1))")
        }
    }

    private func releaseParameters() {
        for p in parameterStorage { p.deallocate() }
        parameterStorage.removeAll()
        parameterIndicators?.deallocate()
        parameterIndicators = nil
    }

    /// Executes the prepared statement. `SQL_NO_DATA` (a searched UPDATE/DELETE matching no
    /// row) is a success with a row count of 0.
    func execute() throws {
        let rc = SQLExecute(handle)
        if rc == SQLRETURN(SQL_NO_DATA) { return }
        try check(rc, "SQLExecute")
    }

    /// Rows affected by the last INSERT/UPDATE/DELETE.
    func rowCount() throws -> Int {
        var count: SQLLEN = 0
        try check(SQLRowCount(handle, &count), "SQLRowCount")
        return Int(count)
    }

    func resultColumnCount() throws -> Int {
        var n: SQLSMALLINT = 0
        try check(SQLNumResultCols(handle, &n), "SQLNumResultCols")
        return Int(n)
    }

    func closeCursor() {
        _ = SQLFreeStmt(handle, SQLUSMALLINT(SQL_CLOSE))
    }

    /// Describes result column `index` (1-based).
    func describeColumn(_ index: Int) throws -> ODBCColumnDescription {
        var name = [SQLWCHAR](repeating: 0, count: 256)
        var nameLength: SQLSMALLINT = 0
        var type: SQLSMALLINT = 0
        var size: SQLULEN = 0
        var digits: SQLSMALLINT = 0
        var nullable: SQLSMALLINT = 0
        try check(
            SQLDescribeColW(
                handle, SQLUSMALLINT(index), &name, SQLSMALLINT(name.count), &nameLength, &type,
                &size, &digits, &nullable),
            "SQLDescribeCol(\(index))")
        return ODBCColumnDescription(
            index: index,
            name: String(decoding: name.prefix(min(Int(nameLength), 255)), as: UTF16.self),
            sqlType: Int(type), size: Int(size))
    }
}

struct ODBCColumnDescription: Hashable {
    var index: Int
    var name: String
    var sqlType: Int
    var size: Int
}
