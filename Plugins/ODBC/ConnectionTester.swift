import AlmanacCore
import Foundation
import RowMapping

/// `testConnection()` for ODBC: driver (or DSN), login, the read query, then each write
/// statement (dry run, rolled back), stopping at the first step that fails. Messages come from `ConnectFailure` and
/// the driver's diagnostics with the password scrubbed; the connection string is never shown.
struct ConnectionTester {
    let connector: ODBCConnector

    func run() -> ConnectionReport {
        var steps: [ConnectionReport.Step] = []
        let settings = connector.settings
        let cs = settings.connectionString

        // 1. The driver or data source.
        let env: ODBCEnvironment
        do {
            env = try connector.environmentHandle()
        } catch {
            return ConnectionReport(steps: [.init(name: "driver", ok: false, detail: "\(error)")])
        }
        if let driver = ODBCConnectionString.value(of: "driver", in: cs) {
            let installed = env.installedDrivers()
            let bare = driver.trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
            if !bare.hasPrefix("/") && !installed.contains(where: { $0.caseInsensitiveCompare(bare) == .orderedSame }) {
                steps.append(
                    .init(
                        name: "driver", ok: false,
                        detail: ConnectFailure.driverMissing(driver: bare, installed: installed).message))
                return ConnectionReport(steps: steps)
            }
            steps.append(.init(name: "driver", ok: true, detail: "ODBC driver \"\(bare)\" is installed"))
        } else if let dsn = ODBCConnectionString.value(of: "dsn", in: cs) {
            guard env.dataSources().contains(where: { $0.caseInsensitiveCompare(dsn) == .orderedSame }) else {
                steps.append(
                    .init(name: "driver", ok: false, detail: ConnectFailure.dataSourceMissing(dsn: dsn).message))
                return ConnectionReport(steps: steps)
            }
            steps.append(.init(name: "driver", ok: true, detail: "data source \"\(dsn)\" is defined"))
        }

        // 2. Login and database.
        connector.drop()
        let conn: ODBCConnection
        do {
            conn = try connector.open()
        } catch let e as AlmanacError {
            steps.append(.init(name: "connect", ok: false, detail: stripPlace(e.message)))
            return ConnectionReport(steps: steps)
        } catch {
            steps.append(.init(name: "connect", ok: false, detail: "cannot connect"))
            return ConnectionReport(steps: steps)
        }
        steps.append(.init(name: "connect", ok: true, detail: "logged in"))

        // 3. The read query: prepared and run over an empty window, its columns checked.
        if let query = settings.readQuery {
            steps.append(checkRead(query, conn: conn))
            if !steps.last!.ok { return ConnectionReport(steps: steps) }
        }

        // 4. The write statements: prepared, then run once with every parameter NULL inside a
        //    transaction that is rolled back (drivers such as SQLite's compile only on execute).
        //    A constraint violation (SQLSTATE 23xxx) in that dry run means the statement compiled.
        for kind in ODBCSettings.StatementKind.allCases {
            guard let statement = settings.statements[kind] else { continue }
            do {
                let stmt = try conn.statement(queryTimeout: settings.queryTimeout)
                try stmt.prepare(statement.sql)
                try stmt.bind(statement.names.map { _ in .text(nil) })
                do {
                    try stmt.execute()
                } catch let e as ODBCCallError where e.records.contains(where: { $0.state.hasPrefix("23") }) {}
                stmt.closeCursor()
                try conn.endTransaction(commit: false)
                steps.append(.init(name: kind.rawValue, ok: true, detail: "valid (dry run rolled back)"))
            } catch let e as ODBCCallError {
                try? conn.endTransaction(commit: false)
                steps.append(
                    .init(
                        name: kind.rawValue, ok: false,
                        detail: "\(kind.rawValue) is not valid: \(e.scrubbed(settings.password))"))
            } catch {
                steps.append(.init(name: kind.rawValue, ok: false, detail: "\(kind.rawValue) is not valid"))
            }
        }
        try? conn.endTransaction(commit: false)
        return ConnectionReport(steps: steps)
    }

    private func checkRead(_ query: NamedStatement, conn: ODBCConnection) -> ConnectionReport.Step {
        let settings = connector.settings
        do {
            let stmt = try conn.statement(queryTimeout: settings.queryTimeout)
            try stmt.prepare(query.sql)
            let now = connector.resolver.wall(Date())
            try stmt.bind(query.names.map { _ in .timestamp(now) })
            try stmt.execute()
            var columns: [ODBCColumnDescription] = []
            let count = try stmt.resultColumnCount()
            for i in 0..<count { columns.append(try stmt.describeColumn(i + 1)) }
            stmt.closeCursor()
            try? conn.endTransaction(commit: false)
            let mapper = RowMapper(columns: columns.map(\.name), resolver: connector.resolver)
            mapper.contacts = settings.contacts
            if count == 0 {
                return .init(
                    name: "read_query", ok: false, detail: "read_query returns no result set: it must be a SELECT")
            }
            if let missing = mapper.missingRequiredColumns.first {
                return .init(
                    name: "read_query", ok: false,
                    detail: "read_query returns no column named \(missing) (alias one: AS \(missing))")
            }
            return .init(name: "read_query", ok: true, detail: "valid; \(count) columns")
        } catch let e as ODBCCallError {
            try? conn.endTransaction(commit: false)
            return .init(
                name: "read_query", ok: false, detail: "read_query is not valid: \(e.scrubbed(settings.password))")
        } catch {
            return .init(name: "read_query", ok: false, detail: "read_query is not valid")
        }
    }

    private func stripPlace(_ message: String) -> String {
        let prefix = "\(connector.place): "
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }
}
