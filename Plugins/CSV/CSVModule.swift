import AlmanacCore

/// `connector = "csv"`: RFC 4180 files as sources and sinks. See README.md beside this file.
public enum CSVModule: ConnectorModule {
    public static let kind = "csv"
    public static let summary = "CSV files (a file, or a directory of files matching a glob)"

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("path", .string, required: true, "a CSV file, or a directory read with `glob`"),
        SettingSpec("glob", .string, "file pattern inside a directory `path` (default \"*.csv\")"),
        SettingSpec("delimiter", .string, "field separator, one character (default \",\")"),
        SettingSpec("encoding", .choice(["utf-8", "latin-1", "windows-1252"]), "text encoding (default utf-8)"),
        SettingSpec("header", .bool, "whether the first line names the columns (default true)"),
        SettingSpec("columns", .stringTable, "standard field → column header, e.g. { external_id = \"Appt ID\" }"),
        SettingSpec("formats", .stringTable, "column → date/time format, e.g. { start_time = \"dd/MM/yyyy HH:mm\" }"),
    ]
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete]
    }

    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        if let d = connection.table.string("delimiter"), d.count != 1 {
            connection.report(.configInvalidValue, "delimiter", "must be exactly one character, got \"\(d)\"")
        }
    }

    public static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError("connector.unavailable", "the csv connector cannot run in this build yet")
    }
}
