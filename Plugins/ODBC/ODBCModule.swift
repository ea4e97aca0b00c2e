import AlmanacCore

/// `connector = "odbc"`: any database reachable through unixODBC. See README.md beside this file.
public enum ODBCModule: ConnectorModule {
    public static let kind = "odbc"
    public static let summary = "SQL databases through unixODBC (SQLite, PostgreSQL, SQL Server, MariaDB, …)"
    public static let itemKinds: Set<ItemKind> = [.events, .contacts]

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec(
            "connection_string", .string, required: true,
            "ODBC connection string: a DSN (\"DSN=clinic;\") or DSN-less (\"Driver=SQLite3;Database=/path.db;\")"),
        SettingSpec("password", .secret, "database password, appended to the connection string as PWD"),
        SettingSpec("connect_timeout", .duration, "login timeout (default 15s)"),
        SettingSpec("query_timeout", .duration, "timeout of each statement (default 5m)"),
        SettingSpec("fetch_rows", .integer(1...100_000), "rows fetched per block-cursor fetch (default 256)"),
        SettingSpec(
            "max_value_bytes", .integer(ODBCSettings.maxValueBytesRange),
            "longest text or binary value read, in bytes (default 1048576); a longer one is an item problem"),
    ]

    static let statementSettings: [SettingSpec] = [
        SettingSpec(
            "read_query", .string, required: true,
            "SELECT returning the standard columns; may use :window_start, :window_end, :since (contacts: :since only)"),
        SettingSpec("insert", .string, "statement creating a row from an item (named parameters)"),
        SettingSpec("update", .string, "statement updating a row from an item; :external_id names the row"),
        SettingSpec("delete", .string, "statement deleting the row :external_id"),
        SettingSpec("on_confirmed", .string, "statement run when the calendar side confirms :external_id"),
        SettingSpec("on_cancelled", .string, "statement run when the calendar side cancels :external_id"),
        SettingSpec(
            "lookup_query", .string,
            "SELECT of the standard columns for the rows :keys (WHERE id IN (:keys)), wherever their start lies"),
        SettingSpec(
            "groups_delimiter", .string,
            "contacts: what separates group names in the groups column and :groups (default \";\")"),
        SettingSpec(
            "write_back_idempotent", .bool,
            "on_confirmed/on_cancelled may run again for a row without harm (default false)"),
    ]
    public static let sourceSettings = statementSettings
    public static let targetSettings = statementSettings

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        var caps: ConnectorCapabilities = [.read, .lookup]
        if jobSettings["insert"] != nil && jobSettings["update"] != nil { caps.insert(.write) }
        if jobSettings["delete"] != nil { caps.insert(.delete) }
        if jobSettings["on_confirmed"] != nil || jobSettings["on_cancelled"] != nil { caps.insert(.writeBack) }
        if side == .from && jobSettings["update"] != nil { caps.insert(.write) }
        if jobSettings.bool("write_back_idempotent") == true { caps.insert(.idempotentWriteBack) }
        return caps
    }

    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        guard let cs = connection.table.string("connection_string") else { return }
        let keys = ODBCConnectionString.keys(in: cs)
        if keys.contains("pwd") || keys.contains("password") {
            if !profileFileIsPrivate {
                connection.report(
                    .configInlineSecret, "connection_string",
                    "contains a password in a file that group or others can read: "
                        + "move it to password_file or password_env, or chmod 600 the profile")
            } else if connection.table["password"] != nil || connection.table["password_file"] != nil
                || connection.table["password_env"] != nil
            {
                connection.report(
                    .configInvalidValue, "connection_string",
                    "sets PWD and a password_* setting is given too: keep one")
            }
        }
    }

    /// The read query may use only the window and `since` parameters; statements that change
    /// one row must name it with `:external_id` (an UPDATE or DELETE without it would touch
    /// every row).
    public static func validate(jobSettings: ConfigScope, side: ConnectorContext.Side) {
        if let read = jobSettings.table.string("read_query"),
            let message = ODBCSettings.readQueryProblem(NamedStatement(read))
        {
            jobSettings.report(.configInvalidValue, "read_query", message)
        }
        if let lookup = jobSettings.table.string("lookup_query"),
            let message = ODBCSettings.lookupQueryProblem(NamedStatement(lookup))
        {
            jobSettings.report(.configInvalidValue, "lookup_query", message)
        }
        for kind in ODBCSettings.StatementKind.allCases {
            guard let text = jobSettings.table.string(kind.rawValue),
                let message = ODBCSettings.statementProblem(kind, NamedStatement(text))
            else { continue }
            jobSettings.report(.configInvalidValue, kind.rawValue, message)
        }
    }

    /// Creates the connector; the connection opens on first use. Throws `AlmanacError` for bad
    /// settings (`config.*`) or a password file/variable that cannot be read.
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        try ODBCConnector(
            context: context, capabilities: capabilities(jobSettings: context.jobSettings, side: context.side))
    }
}
