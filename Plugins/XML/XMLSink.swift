import AlmanacCore
import FileConnectorSupport
import Foundation
import RowMapping

/// Applies changes to an XML document by writing a complete new document atomically (temp +
/// fsync + rename).
///
/// The sink owns the document's shape: the elements of `item`'s path wrap the items; each item
/// carries the mapped `fields` at their paths and every other field as a child element named
/// after it (custom fields included). Existing items keep their order and their mapped values
/// (other content inside them is not kept); new items are appended. `update` keeps custom values
/// the event does not carry. Throws (nothing written): `xml.file_busy`, `xml.parse_failed` and
/// the other read errors for an existing document that cannot be read, `xml.write_failed`.
struct XMLSink {
    let settings: XMLSettings
    let source: FileSource
    let mapper: RowMapper

    func apply(_ changes: [Change]) throws -> [WriteOutcome] {
        let url = settings.common.path
        guard !source.isDirectory else {
            throw AlmanacError(.xmlSinkIsDirectory, "\(url.path) is a directory: to write, `path` must name a file")
        }
        var items: [XMLItemValues?] = []
        var index: [String: Int] = [:]
        var stamp: FileStamp?
        if FileManager.default.fileExists(atPath: url.path) {
            let reader = try XMLItemReader(url: url, settings: settings, source: source)
            stamp = reader.stamp
            while let (values, _) = try reader.nextValues() {
                if let key = key(of: values) { index[key] = items.count }
                items.append(values)
            }
        }
        let renderer = RowRenderer(zone: mapper.zone, formats: settings.common.formats)
        var outcomes: [WriteOutcome] = []
        var changed = false
        for change in changes {
            switch change {
            case .create(let id, let event):
                if let i = index[id] { outcomes.append(.conflict(current: current(items[i]!))); continue }
                let values = self.values(
                    renderer.values(key: id, event: event, contacts: mapper.contacts), keeping: nil)
                index[id] = items.count
                items.append(values)
                outcomes.append(.written(key: id, version: version(values)))
                changed = true
            case .update(let key, let ifVersion, let event):
                guard let i = index[key], let old = items[i] else { outcomes.append(.gone); continue }
                if let ifVersion, ifVersion != version(old) {
                    outcomes.append(.conflict(current: current(old))); continue
                }
                let values = self.values(
                    renderer.values(key: key, event: event, contacts: mapper.contacts), keeping: old)
                items[i] = values
                outcomes.append(.written(key: key, version: version(values)))
                changed = true
            case .delete(let key, let ifVersion):
                guard let i = index[key], let old = items[i] else { outcomes.append(.gone); continue }
                if let ifVersion, ifVersion != version(old) {
                    outcomes.append(.conflict(current: current(old))); continue
                }
                items[i] = nil
                index[key] = nil
                outcomes.append(.written(key: key, version: nil))
                changed = true
            case .confirm, .cancel:
                outcomes.append(.failed(retryable: false, reason: "the xml connector has no write-back: use update"))
            }
        }
        guard changed else { return outcomes }
        let file = try AtomicFile(url, prefix: "xml")
        try file.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        let wrappers = settings.item.elements.dropLast()
        var declared = false
        for (depth, step) in wrappers.enumerated() {
            try file.write(String(repeating: "  ", count: depth) + "<" + step.qualified)
            if !declared { try file.write(namespaceDeclarations()); declared = true }
            try file.write(">\n")
        }
        for values in items.compactMap({ $0 }) {
            let element = tree(values)
            if !declared { element.attributes.insert(contentsOf: namespacePairs(), at: 0) }
            try file.write(element.render(indent: wrappers.count))
        }
        for (depth, step) in wrappers.enumerated().reversed() {
            try file.write(String(repeating: "  ", count: depth) + "</" + step.qualified + ">\n")
        }
        if let stamp { try source.unchanged(url, since: stamp) }
        try file.commit()
        return outcomes
    }

    /// The item's version as the reader gives it (`XMLItemValues.version`, with the contact
    /// rules' tag for contacts).
    private func version(_ values: XMLItemValues) -> String {
        values.version + (mapper.contacts.map { ":" + $0.versionTag } ?? "")
    }

    private func key(of values: XMLItemValues) -> String? {
        let row = values.row(settings.fields.map(\.field))
        guard let i = row.fields.firstIndex(of: .externalID) else { return nil }
        return row.values[i]?.trimmingCharacters(in: .whitespaces)
    }

    private func current(_ values: XMLItemValues) -> SourceItem? {
        let row = values.row(settings.fields.map(\.field))
        guard case .item(let key, let event) = mapper.map(fields: row.fields, values: row.values, locator: "") else {
            return nil
        }
        return SourceItem(key: key, version: version(values), event: event)
    }

    /// Rendered event values in the document's layout; custom values of `old` the event lacks stay.
    private func values(_ rendered: [StandardField: String], keeping old: XMLItemValues?) -> XMLItemValues {
        var out = XMLItemValues(count: settings.fields.count)
        let contacts = mapper.contacts != nil
        // Values are read trimmed (XMLItemScan), so they are written trimmed: what is written
        // reads back the same.
        var rest = rendered.mapValues { $0.trimmingCharacters(in: XMLSink.space) }
        for (i, (field, _)) in settings.fields.enumerated() {
            out.configured[i] = rest.removeValue(forKey: field)
            if out.configured[i] == nil, !RowRenderer.isOverwritten(field, rules: mapper.contacts), let old {
                out.configured[i] = old.configured[i]
            }
        }
        for field in RowRenderer.columns(for: [rest], contacts: contacts) {
            guard let v = rest[field] else { continue }
            out.extras.append(.init(XMLSink.elementName(field.name), v))
        }
        for e in old?.extras ?? []
        where !RowRenderer.isOverwritten(e.field, rules: mapper.contacts)
            && !out.extras.contains(where: { $0.name == e.name })
        {
            out.extras.append(e)
        }
        return out
    }

    /// The white space XML reading trims around a value.
    static let space = CharacterSet(charactersIn: " \t\r\n")

    /// `name` as a valid XML element name (invalid characters become `_`).
    static func elementName(_ name: String) -> String {
        var out = ""
        for (i, c) in name.unicodeScalars.enumerated() {
            let ok =
                c == "_" || (c.properties.isAlphabetic) || (i > 0 && (c == "-" || c == "." || ("0"..."9").contains(c)))
            out.unicodeScalars.append(ok ? c : "_")
        }
        return out.isEmpty ? "_" : out
    }

    private func namespacePairs() -> [(String, String)] {
        var seen: [String: String] = [:]
        let steps =
            settings.item.elements
            + settings.fields.flatMap { $0.path.elements + [$0.path.attribute].compactMap { $0 } }
        for s in steps {
            let parts = s.qualified.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let uri = s.namespace { seen[String(parts[0])] = uri }
        }
        return seen.keys.sorted().map { ("xmlns:\($0)", seen[$0]!) }
    }

    private func namespaceDeclarations() -> String {
        namespacePairs().map { " \($0.0)=\"\(XMLElementNode.escape($0.1, attribute: true))\"" }.joined()
    }

    private func tree(_ values: XMLItemValues) -> XMLElementNode {
        let root = XMLElementNode(settings.item.elements.last!.qualified)
        for (i, (_, path)) in settings.fields.enumerated() {
            guard let v = values.configured[i], !v.isEmpty else { continue }
            var at = root
            for step in path.elements { at = at.child(step.qualified) }
            if let a = path.attribute { at.attributes.append((a.qualified, v)) } else { at.text = v }
        }
        for (n, v) in values.extras.map({ ($0.name, $0.value) }) where !v.isEmpty {
            let child = XMLElementNode(n)
            child.text = v
            root.children.append(child)
        }
        return root
    }
}

/// A small element tree for writing one item.
final class XMLElementNode {
    let name: String
    var attributes: [(String, String)] = []
    var children: [XMLElementNode] = []
    var text: String?

    init(_ name: String) { self.name = name }

    func child(_ name: String) -> XMLElementNode {
        if let c = children.first(where: { $0.name == name && $0.text == nil }) { return c }
        let c = XMLElementNode(name)
        children.append(c)
        return c
    }

    func render(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        var out = pad + "<" + name
        for (k, v) in attributes { out += " \(k)=\"\(XMLElementNode.escape(v, attribute: true))\"" }
        if children.isEmpty && (text ?? "").isEmpty { return out + "/>\n" }
        out += ">"
        if let text { out += XMLElementNode.escape(text, attribute: false) }
        if !children.isEmpty {
            out += "\n"
            for c in children { out += c.render(indent: indent + 1) }
            out += pad
        }
        return out + "</" + name + ">\n"
    }

    /// Escapes markup characters; characters XML 1.0 cannot carry are dropped.
    static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\r": out += "&#13;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            default:
                if c.value < 0x20 && c != "\n" && c != "\t" { continue }
                if c.value == 0xFFFE || c.value == 0xFFFF { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
