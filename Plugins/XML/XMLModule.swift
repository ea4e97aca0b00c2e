import AlmanacCore
import CLibXML2
import FileConnectorSupport
import Foundation
import RowMapping

/// `connector = "xml"`: XML documents read with a streaming reader. See README.md beside this file.
public enum XMLModule: ConnectorModule {
    public static let kind = "xml"
    public static let summary = "XML files read with libxml2's streaming reader"
    public static let itemKinds: Set<ItemKind> = [.events, .contacts]

    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("path", .string, required: true, "an XML file, or a directory read with `glob`"),
        SettingSpec("glob", .string, "file pattern inside a directory `path` (default \"*.xml\")"),
        SettingSpec(
            "item", .string, required: true, "path of the element that is one item, e.g. \"/Appointments/Appointment\""),
        SettingSpec(
            "fields", .stringTable, "standard field → child path or @attribute, e.g. { external_id = \"@id\" }"),
        SettingSpec("namespaces", .stringTable, "prefix → namespace URI used in `item` and `fields`"),
        SettingSpec("max_size_mb", .integer(1...100_000), "refuse files larger than this (default 1024)"),
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
        var namespaces: [String: String] = [:]
        for key in t.table("namespaces")?.keys ?? [] { namespaces[key] = t.table("namespaces")?.string(key) }
        if let item = t.string("item") {
            do {
                let path = try XMLPath(item, namespaces: namespaces, absolute: true)
                if path.attribute != nil {
                    connection.report(.configInvalidValue, "item", "must name an element, not an attribute")
                }
            } catch {
                connection.report(
                    .configInvalidValue, "item",
                    "\(error.message) — an absolute element path like \"/Appointments/Appointment\"")
            }
        }
        let fields = t.table("fields") ?? ConfigTable()
        for key in fields.keys {
            guard let text = fields.string(key) else { continue }
            do { _ = try XMLPath(text, namespaces: namespaces, absolute: false) } catch {
                connection.report(.configInvalidValue, "fields", "\(key): \(error.message)")
            }
        }
        for message in RowMapper.formats(from: t.table("formats")).1 {
            connection.report(.configInvalidValue, "formats", message)
        }
    }

    /// libxml2 wants `xmlInitParser` once per process before threads use it (Swift runs this once).
    private static let libxml2Initialized: Void = xmlInitParser()

    /// Throws `config.invalid_value` for settings `almanac check` could not judge alone (paths,
    /// prefixes), and `xml.sink_is_directory` when a job writes to a directory `path`.
    public static func make(_ context: ConnectorContext) throws -> any Connector {
        _ = libxml2Initialized
        let settings = try XMLSettings(context)
        if context.side == .to && settings.item.elements.count < 2 {
            throw AlmanacError(
                .configInvalidValue,
                "connection \"\(context.connectionName)\": item: a job writing XML needs an item below the root element, like \"/Appointments/Appointment\""
            )
        }
        return XMLConnector(
            settings: settings, side: context.side,
            capabilities: capabilities(jobSettings: context.jobSettings, side: context.side),
            logger: context.logger,
            marker: try settings.common.sinkMarker(context, prefix: "xml"))
    }
}
