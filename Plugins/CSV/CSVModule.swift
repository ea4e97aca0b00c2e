import AlmanacCore
import FileConnectorSupport
import Foundation
import RowMapping

/// `connector = "csv"`: RFC 4180 files as sources and sinks. See README.md beside this file.
public enum CSVModule: ConnectorModule {
    public static let kind = "csv"
    public static let summary = "CSV files (a file, or a directory of files matching a glob)"
    public static let itemKinds: Set<ItemKind> = [.events, .contacts]

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("path", .string, required: true, "a CSV file, or a directory read with `glob`"),
        SettingSpec("glob", .string, "file pattern inside a directory `path` (default \"*.csv\")"),
        SettingSpec("delimiter", .string, "field separator, one character (default \",\")"),
        SettingSpec("encoding", .choice(["utf-8", "latin-1", "windows-1252"]), "text encoding (default utf-8)"),
        SettingSpec("header", .bool, "whether the first line names the columns (default true)"),
        SettingSpec("columns", .stringTable, "standard field → column header, e.g. { external_id = \"Appt ID\" }"),
        SettingSpec(
            "formats", .stringTable,
            "standard field → date/time format (default ISO 8601), e.g. { start_time = \"dd/MM/yyyy HH:mm\" }"),
        SettingSpec("settle", .duration, "how long a file must be left unchanged before it is read (default 1s)"),
    ]
    public static let sourceSettings: [SettingSpec] = FileSettings.contactSettings
    public static let targetSettings: [SettingSpec] = FileSettings.contactSettings

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .lookup]
    }

    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        let t = connection.table
        if let d = t.string("delimiter"), CSVSettings.delimiter(d) == nil {
            connection.report(
                .configInvalidValue, "delimiter",
                "must be one ASCII character other than a quote or a line break (or \"tab\"), got \"\(d)\"")
        }
        for message in RowMapper.formats(from: t.table("formats")).1 {
            connection.report(.configInvalidValue, "formats", message)
        }
        if t.bool("header") == false {
            let columns = t.table("columns") ?? ConfigTable()
            for key in columns.keys where Int(columns.string(key) ?? "").map({ $0 < 1 }) ?? true {
                connection.report(
                    .configInvalidValue, "columns",
                    "\(key): without a header, columns are numbered from 1, got \(columns[key]?.shortDescription ?? "?")"
                )
            }
            for required in ["external_id", "start_time"] where columns[required] == nil {
                connection.report(.configMissingKey, "columns", "without a header, \(required) needs a column number")
            }
        }
    }

    /// Throws `config.invalid_value` for settings `almanac check` could not judge alone, and
    /// `csv.sink_is_directory` when a job writes to a directory `path`.
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        let settings = try CSVSettings(context)
        return CSVConnector(
            settings: settings, side: context.side,
            capabilities: capabilities(jobSettings: context.jobSettings, side: context.side),
            logger: context.logger,
            marker: try settings.common.sinkMarker(context, prefix: "csv"))
    }
}
