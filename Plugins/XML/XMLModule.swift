import AlmanacCore

/// `connector = "xml"`: XML documents read with a streaming reader. See README.md beside this file.
public enum XMLModule: ConnectorModule {
    public static let kind = "xml"
    public static let summary = "XML files read with libxml2's streaming reader"

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("path", .string, required: true, "an XML file, or a directory read with `glob`"),
        SettingSpec("glob", .string, "file pattern inside a directory `path` (default \"*.xml\")"),
        SettingSpec("item", .string, required: true, "path of the element that is one item, e.g. \"/Appointments/Appointment\""),
        SettingSpec("fields", .stringTable, "standard field → child path or @attribute, e.g. { external_id = \"@id\" }"),
        SettingSpec("namespaces", .stringTable, "prefix → namespace URI used in `item` and `fields`"),
        SettingSpec("max_size_mb", .integer(1...100_000), "refuse files larger than this (default 1024)"),
    ]
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete]
    }

    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        if let item = connection.table.string("item"), !item.hasPrefix("/") {
            connection.report(.configInvalidValue, "item", "must be an absolute element path like \"/Appointments/Appointment\", got \"\(item)\"")
        }
    }

    public static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError("connector.unavailable", "the xml connector cannot run in this build yet")
    }
}
