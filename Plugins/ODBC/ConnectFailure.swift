import AlmanacCore
import Foundation

/// Why a connection could not be opened, in the administrator's terms. Built from the driver's
/// SQLSTATEs and messages; never carries the connection string or the password.
enum ConnectFailure: Equatable {
    case driverMissing(driver: String, installed: [String])
    case dataSourceMissing(dsn: String)
    case driverUnloadable(driver: String, detail: String)
    case loginRefused(user: String?)
    case databaseMissing(database: String?)
    case serverUnreachable(detail: String)
    case timedOut(seconds: Int)
    case other(detail: String)

    var code: ErrorCode {
        switch self {
        case .driverMissing, .dataSourceMissing, .driverUnloadable: return .odbcDriverMissing
        case .loginRefused: return .odbcLoginRefused
        case .databaseMissing: return .odbcDatabaseMissing
        case .serverUnreachable, .timedOut, .other: return .odbcConnectFailed
        }
    }

    var message: String {
        switch self {
        case .driverMissing(let driver, let installed):
            let list = installed.isEmpty ? "none" : installed.joined(separator: ", ")
            return
                "the ODBC driver \"\(driver)\" is not installed; installed drivers: \(list) (odbcinst -q -d lists them)"
        case .dataSourceMissing(let dsn):
            return "the data source \"\(dsn)\" is not defined in odbc.ini (odbcinst -q -s lists them)"
        case .driverUnloadable(let driver, let detail):
            return "the ODBC driver \"\(driver)\" is registered but its library cannot be loaded: \(detail)"
        case .loginRefused(let user):
            let who = user.map { " for user \"\($0)\"" } ?? ""
            return "the database refused the login\(who): "
                + "check the user name and the password (password_file or password_env)"
        case .databaseMissing(let database):
            let name = database.map { "\"\($0)\" " } ?? ""
            return "the database \(name)does not exist (or this user may not open it): "
                + "check Database= in connection_string"
        case .serverUnreachable(let detail):
            return "cannot reach the database server: \(detail)"
        case .timedOut(let seconds):
            return "the connection did not open within connect_timeout (\(seconds)s)"
        case .other(let detail):
            return "cannot connect: \(detail)"
        }
    }

    /// Whether the same connection may open later with nothing changed (a server down or
    /// unreachable for now, a database file moved away, a timeout): the run is retried soon.
    /// A missing driver or a refused login needs the administrator.
    var isTransient: Bool {
        switch self {
        case .databaseMissing, .serverUnreachable, .timedOut, .other: return true
        case .driverMissing, .dataSourceMissing, .driverUnloadable, .loginRefused: return false
        }
    }

    /// - Parameter cause: the driver's diagnostics, scrubbed of the password.
    func error(place: String, cause: (any Error)? = nil) -> AlmanacError {
        AlmanacError(code, "\(place): \(message)", cause: cause, retryable: isTransient)
    }

    /// SQLite drivers create a missing database file; a configured file that does not exist is
    /// reported as a missing database instead of silently starting an empty one.
    static func sqliteFileMissing(_ connectionString: String) -> ConnectFailure? {
        guard let driver = ODBCConnectionString.value(of: "driver", in: connectionString),
            driver.lowercased().contains("sqlite"),
            let path = ODBCConnectionString.value(of: "database", in: connectionString),
            !path.isEmpty, path != ":memory:", !FileManager.default.fileExists(atPath: path)
        else { return nil }
        return .databaseMissing(database: path)
    }

    /// Reads a failed `SQLDriverConnect`'s diagnostics.
    static func classify(_ e: ODBCCallError, settings: ODBCSettings, installedDrivers: [String]) -> ConnectFailure {
        let cs = settings.connectionString
        let driver = ODBCConnectionString.value(of: "driver", in: cs)
        let text = e.records.map(\.message).joined(separator: " ").lowercased()
        let states = Set(e.records.map(\.state))
        if states.contains("IM002") {
            if let driver { return .driverMissing(driver: driver, installed: installedDrivers) }
            if let dsn = ODBCConnectionString.value(of: "dsn", in: cs) { return .dataSourceMissing(dsn: dsn) }
        }
        if states.contains("IM003") || (text.contains("can't open lib") || text.contains("file not found")) {
            return .driverUnloadable(driver: driver ?? "?", detail: e.description)
        }
        if states.contains("28000") || states.contains("28P01") || text.contains("password authentication failed")
            || text.contains("authentication failed") || text.contains("access denied for user")
            || text.contains("login failed for user") || text.contains("no password supplied")
        {
            let user =
                ODBCConnectionString.value(of: "uid", in: cs) ?? ODBCConnectionString.value(of: "username", in: cs)
                ?? ODBCConnectionString.value(of: "user", in: cs)
            return .loginRefused(user: user)
        }
        if (text.contains("database") && text.contains("does not exist")) || text.contains("unknown database")
            || text.contains("cannot open database") || states.contains("3D000")
        {
            return .databaseMissing(database: ODBCConnectionString.value(of: "database", in: cs))
        }
        if states.contains("HYT00") || text.contains("timeout expired") || text.contains("timed out") {
            return .timedOut(seconds: settings.connectTimeout)
        }
        if text.contains("could not connect") || text.contains("connection refused") || text.contains("can't connect")
            || text.contains("could not translate host name") || text.contains("unable to connect")
        {
            return .serverUnreachable(detail: e.description)
        }
        return .other(detail: e.description)
    }
}
