import AlmanacCore
import FileConnectorSupport
import Foundation
import RowMapping

/// The settings of one `connector = "xml"` connection, parsed and checked (see README.md).
struct XMLSettings: Sendable {
    /// Where the files are, settle time, date formats, zone (shared by the file connectors).
    var common: FileSettings
    var item: XMLPath
    /// Field (standard or custom name) → path relative to the item, in standard field order.
    var fields: [(field: StandardField, path: XMLPath)]
    var namespaces: [String: String]
    var maxBytes: Int64

    /// Reads the connection table. Throws `config.invalid_value` naming the key.
    init(_ context: ConnectorContext) throws {
        let t = context.connection
        func invalid(_ key: String, _ message: String) -> AlmanacError { FileSettings.invalid(context, key, message) }
        common = try FileSettings(context, defaultGlob: "*.xml")
        let ns = t.table("namespaces") ?? ConfigTable()
        var namespaces: [String: String] = [:]
        for key in ns.keys {
            guard let uri = ns.string(key), !uri.isEmpty else {
                throw invalid("namespaces.\(key)", "expected a namespace URI")
            }
            namespaces[key] = uri
        }
        self.namespaces = namespaces
        guard let itemText = t.string("item") else { throw invalid("item", "is required") }
        do { item = try XMLPath(itemText, namespaces: namespaces, absolute: true) } catch {
            throw invalid("item", error.message)
        }
        if item.attribute != nil { throw invalid("item", "must name an element, not an attribute") }
        let table = t.table("fields") ?? ConfigTable()
        var fields: [(StandardField, XMLPath)] = []
        for key in table.keys {
            guard let text = table.string(key) else {
                throw invalid("fields.\(key)", "expected a path like \"Subject\" or \"@id\"")
            }
            do {
                fields.append((StandardField(name: key), try XMLPath(text, namespaces: namespaces, absolute: false)))
            } catch {
                throw invalid("fields.\(key)", error.message)
            }
        }
        // Standard order (external_id, title, …, participants, then custom by name): the order
        // the sink writes elements in, and the order of each item's version hash.
        let order = RowRenderer.columns(for: [Dictionary(uniqueKeysWithValues: fields.map { ($0.0, "") })])
        self.fields = fields.sorted { (order.firstIndex(of: $0.0) ?? .max) < (order.firstIndex(of: $1.0) ?? .max) }
        maxBytes = Int64(t.integer("max_size_mb") ?? 1024) << 20
    }
}
