import AlmanacCore
import CLibXML2
import FileConnectorSupport
import Foundation

/// Streams the items of one XML document with libxml2's `xmlTextReader`: memory holds one item
/// at a time, whatever the size of the file.
///
/// Safety: parsed with `XML_PARSE_NONET` and never `NOENT`/`DTDLOAD`, so external entities and
/// DTDs are not fetched and entity references are not expanded (an XXE attempt reads nothing);
/// files over `max_size_mb` are refused (`xml.too_large`). libxml2's messages go to a structured
/// handler, never to stderr.
///
/// Thrown: `xml.empty_file`, `xml.too_large`, `xml.unexpected_document` (the root element is not
/// the item path's), `xml.parse_failed` (not well-formed: truncated, garbage — with file, line
/// and column), plus the `FileSource` errors. Items whose values cannot be mapped come back as
/// problems with the file and line.
final class XMLItemReader {
    let url: URL
    let name: String
    let stamp: FileStamp
    private let settings: XMLSettings
    private let mapper: RowMapper?
    private let reader: xmlTextReaderPtr
    private let errors = XMLErrors()
    private let trie: XMLFieldTrie
    private let configuredFields: [StandardField]
    private let fieldCount: Int
    private let steps: [Interned]
    private var matched = 0
    private(set) var itemsSeen = 0
    private(set) var valid = 0
    private(set) var problems = 0
    private(set) var firstProblem: String?
    private var locator: LineLocator?
    /// Line, start-tag name (as in the document, interned by the reader) and index among such
    /// tags on that line of the last item, for the column of an item problem.
    private var itemLine = 0
    private var itemTag: UnsafePointer<xmlChar>?
    private var itemOnLine = 0

    /// A name of unmapped children and attributes, found by the reader's interned name pointer
    /// and checked against a copy of its bytes (so a recycled pointer cannot alias another name).
    private struct Name {
        var pointer: UnsafePointer<xmlChar>?
        var bytes: [UInt8]
        var name: String
        var field: StandardField
        /// A configured field is this field too: the configured value wins in the row.
        var shadowed: Bool
    }
    /// Few in any real document: a short list beats hashing.
    private var names: [Name] = []

    // Scratch of `readItem` and `fillRow`, kept from one item to the next (no allocation per item).
    private var buffers: [[UInt8]]
    private var filled: [Bool]
    private var frames: [Frame] = []
    private var defaultText: [UInt8] = []
    /// The `names` entry of each of the last item's `extras`.
    private var extraNames: [Int] = []
    private var rowFields: [StandardField] = []
    private var rowValues: [String?] = []
    /// The `extraNames` `rowFields` was made for, and which of those extras it holds.
    private var rowNames: [Int] = [-1]
    private var rowExtra: [Bool] = []

    /// Opens `url`. Without a `mapper`, only the raw values (`nextValues`) can be read.
    init(url: URL, settings: XMLSettings, source: FileSource, mapper: RowMapper? = nil) throws {
        self.url = url
        self.mapper = mapper
        self.name = url.lastPathComponent
        self.settings = settings
        stamp = try source.stableStamp(url)
        guard stamp.size > 0 else {
            throw AlmanacError(
                "xml.empty_file",
                "\(url.path) is empty (0 bytes): an export being written, or a failed one — nothing is read from it")
        }
        guard stamp.size <= settings.maxBytes else {
            throw AlmanacError(
                "xml.too_large",
                "\(url.path) is \(stamp.size >> 20) MB, over max_size_mb = \(settings.maxBytes >> 20): raise the limit if the file is expected"
            )
        }
        almanac_xml_silence()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_NOCDATA.rawValue)
        guard let r = xmlReaderForFile(url.path, nil, options) else {
            throw AlmanacError("xml.unreadable", "cannot open \(url.path)")
        }
        reader = r
        xmlTextReaderSetStructuredErrorHandler(r, XMLErrors.handler, Unmanaged.passUnretained(errors).toOpaque())
        steps = settings.item.elements.map { Interned($0, r) }
        trie = XMLFieldTrie(settings.fields, r)
        configuredFields = settings.fields.map(\.field)
        fieldCount = settings.fields.count
        buffers = [[UInt8]](repeating: [], count: fieldCount)
        filled = [Bool](repeating: false, count: fieldCount)
    }

    deinit { xmlFreeTextReader(reader) }

    /// The next item or problem, mapped with the `mapper` given at init; nil at the end of the
    /// document. With `window`, items that certainly start outside it are skipped unmapped.
    func nextRecord(window: TimeWindow?) throws -> FileRecord? {
        guard let mapper else { preconditionFailure("XMLItemReader opened without a mapper cannot map items") }
        while let (values, line) = try nextValues() {
            fillRow(values)
            switch mapper.map(fields: rowFields, values: rowValues, window: window, locator: "\(name) line \(line)") {
            case .outside:
                valid += 1
            case .item(let key, let event):
                valid += 1
                return .item(SourceItem(key: key, version: values.version, event: event))
            case .problem(let p):
                problems += 1
                let located = withColumn(p)
                if firstProblem == nil { firstProblem = located.description }
                return .problem(located)
            }
        }
        return nil
    }

    /// `rowFields`/`rowValues`: the configured fields, then each other value under its own name
    /// unless a field before has that name (`XMLItemValues.row`, without building new arrays).
    /// Items of one export have the same children: the fields of the last row are kept while the
    /// names of the extras (`rowNames`) stay the same.
    private func fillRow(_ values: XMLItemValues) {
        rowValues.removeAll(keepingCapacity: true)
        rowValues.append(contentsOf: values.configured)
        if extraNames == rowNames {
            for (k, e) in values.extras.enumerated() where rowExtra[k] { rowValues.append(e.value) }
            return
        }
        rowNames = extraNames
        rowExtra.removeAll(keepingCapacity: true)
        rowFields.removeAll(keepingCapacity: true)
        rowFields.append(contentsOf: configuredFields)
        for (k, e) in values.extras.enumerated() {
            let n = names[extraNames[k]]
            let used = !n.shadowed && !rowFields[fieldCount...].contains(n.field)
            rowExtra.append(used)
            guard used else { continue }
            rowFields.append(n.field)
            rowValues.append(e.value)
        }
    }

    /// The line where the last item returned starts.
    var recordLine: Int { itemLine }

    /// The problem for the item last returned, whose key an earlier item (`firstAt`) has.
    func duplicate(key: String, firstAt: String) -> ItemProblem {
        withColumn(
            ItemProblem(
                key: key, field: StandardField.externalID.name,
                reason: "\(name) line \(itemLine): \"\(key)\" is the external_id of \(firstAt) already: "
                    + "this item is skipped (an external_id must be unique across the files read)"))
    }

    /// `p` about the last item, with `FILE line N` (in its key or reason) extended by the column.
    private func withColumn(_ p: ItemProblem) -> ItemProblem {
        let where_ = "\(name) line \(itemLine)"
        guard let tag = itemTag.map({ String(cString: $0) }) else { return p }
        if locator == nil { locator = LineLocator(path: url.path) }
        guard let column = locator!.column(line: itemLine, tag: tag, occurrence: itemOnLine) else { return p }
        let full = "\(where_) column \(column)"
        var out = p
        out.key = p.key == where_ ? full : p.key
        out.reason = p.reason.replacingOccurrences(of: where_ + ":", with: full + ":")
        return out
    }

    /// The raw values of the next item and the line it starts on; nil at the end.
    func nextValues() throws -> (XMLItemValues, Int)? {
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { return nil }
            if status < 0 { throw parseFailure() }
            let type = xmlTextReaderNodeType(reader)
            let depth = Int(xmlTextReaderDepth(reader))
            if type == Int32(XML_READER_TYPE_ELEMENT.rawValue) {
                if depth == 0 && !steps[0].matches(reader) {
                    let found = String(cString: xmlTextReaderConstName(reader))
                    throw AlmanacError(
                        "xml.unexpected_document",
                        "\(url.path): the root element is <\(found)>, but item = \"\(settings.item)\" expects <\(steps[0].name)> — not the document the profile describes"
                    )
                }
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                if matched == depth && depth < steps.count && steps[depth].matches(reader) {
                    matched = depth + 1
                    if matched == steps.count {
                        let line = Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader)))
                        itemOnLine = line == itemLine ? itemOnLine + 1 : 0
                        itemLine = line
                        itemTag = xmlTextReaderConstName(reader)
                        let values = try readItem(depth: depth, empty: empty)
                        matched = depth
                        itemsSeen += 1
                        return (values, line)
                    }
                }
                if empty && matched > depth { matched = depth }
            } else if type == Int32(XML_READER_TYPE_END_ELEMENT.rawValue) {
                if matched > depth { matched = depth }
            }
        }
    }

    private struct Frame {
        var node: Int
        /// >= 0: a configured slot; -2: the default capture of a direct child; -1: none.
        var capture: Int
        var owns: Bool
        var hadElement: Bool
    }

    /// The `names` entry of the reader's current node's local name.
    private func localName() -> Int {
        guard let p = xmlTextReaderConstLocalName(reader) ?? xmlTextReaderConstString(reader, "") else {
            return entry(for: nil, "")
        }
        for i in names.indices where names[i].pointer == p {
            if names[i].bytes.withUnsafeBufferPointer({ strcmp($0.baseAddress!, p) == 0 }) { return i }
        }
        return entry(for: p, String(cString: p))
    }

    private func entry(for p: UnsafePointer<xmlChar>?, _ name: String) -> Int {
        let field = StandardField(name: name)
        names.append(
            Name(
                pointer: p, bytes: Array(name.utf8) + [0], name: name, field: field,
                shadowed: configuredFields.contains(field)))
        return names.count - 1
    }

    /// Reads the item element the reader is on, up to its end tag.
    private func readItem(depth itemDepth: Int, empty: Bool) throws -> XMLItemValues {
        // A document with ever new names (generated ones) must not grow the list without end.
        if names.count > 256 {
            names.removeAll()
            rowNames = [-1]
        }
        var values = XMLItemValues(count: fieldCount)
        extraNames.removeAll(keepingCapacity: true)
        // The scratch is moved out of `self` while in use: no exclusivity checks per access.
        var buffers = self.buffers, filled = self.filled, frames = self.frames, defaultText = self.defaultText
        self.buffers = []
        self.filled = []
        self.frames = []
        self.defaultText = []
        defer {
            self.buffers = buffers
            self.filled = filled
            self.frames = frames
            self.defaultText = defaultText
        }
        for i in filled.indices { filled[i] = false }
        readAttributes(node: 0, into: &values, filled: &filled, extras: true)
        if empty { return values }
        let trie = self.trie
        var defaultName = -1
        frames.removeAll(keepingCapacity: true)
        frames.append(Frame(node: 0, capture: -1, owns: false, hadElement: false))
        func close(_ f: Frame) {
            guard f.owns else { return }
            if f.capture >= 0 {
                values.configured[f.capture] = XMLItemReader.text(buffers[f.capture])
                filled[f.capture] = true
            } else if f.capture == -2, !f.hadElement {
                let n = names[defaultName]
                values.extras.append(.init(n.name, XMLItemReader.text(defaultText), field: n.field))
                extraNames.append(defaultName)
            }
        }
        while true {
            let status = xmlTextReaderRead(reader)
            if status <= 0 { throw parseFailure() }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                let parent = frames[frames.count - 1]
                frames[frames.count - 1].hadElement = true
                let child = parent.node >= 0 ? trie.child(of: parent.node, reader) : -1
                var frame = Frame(node: child, capture: -1, owns: false, hadElement: false)
                if child >= 0, case let slot = trie.slot[child], slot >= 0, !filled[slot] {
                    frame.capture = slot
                    frame.owns = true
                    buffers[slot].removeAll(keepingCapacity: true)
                } else if parent.capture != -1 {
                    frame.capture = parent.capture
                } else if frames.count == 1 && child < 0 {
                    frame.capture = -2
                    frame.owns = true
                    defaultName = localName()
                    defaultText.removeAll(keepingCapacity: true)
                }
                if child >= 0 && trie.hasAttributes[child] {
                    readAttributes(node: child, into: &values, filled: &filled, extras: false)
                }
                if xmlTextReaderIsEmptyElement(reader) == 1 {
                    close(frame)
                } else {
                    frames.append(frame)
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                let f = frames.removeLast()
                if frames.isEmpty { return values }
                close(f)
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
                let capture = frames[frames.count - 1].capture
                guard capture != -1, let v = xmlTextReaderConstValue(reader) else { continue }
                let bytes = UnsafeBufferPointer(start: v, count: strlen(v))
                if capture >= 0 {
                    buffers[capture].append(contentsOf: bytes)
                } else {
                    defaultText.append(contentsOf: bytes)
                }
            default:
                continue
            }
        }
    }

    /// Attributes of the current element mapped by trie node `node`; with `extras`, the others
    /// (not namespace declarations) too.
    private func readAttributes(node: Int, into values: inout XMLItemValues, filled: inout [Bool], extras: Bool) {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return }
        let wanted = trie.nodes[node].attributes
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            if let hit = wanted.first(where: { $0.name.matches(reader) }) {
                if !filled[hit.slot] {
                    values.configured[hit.slot] = value
                    filled[hit.slot] = true
                }
            } else if extras {
                let i = localName()
                values.extras.append(.init(names[i].name, value, field: names[i].field))
                extraNames.append(i)
            }
        }
        xmlTextReaderMoveToElement(reader)
    }

    private static func text(_ bytes: [UInt8]) -> String {
        var lo = 0
        var hi = bytes.count
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        while lo < hi && space(bytes[lo]) { lo += 1 }
        while hi > lo && space(bytes[hi - 1]) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    private func parseFailure() -> AlmanacError {
        guard let e = errors.firstFatal else {
            return AlmanacError(
                "xml.parse_failed",
                "\(url.path): the document ends early — the file is truncated; nothing is read from it")
        }
        return AlmanacError(
            "xml.parse_failed",
            "\(url.path) line \(e.line) column \(e.column): \(e.message) — the file is truncated or not XML; nothing is read from it"
        )
    }
}

/// An element or attribute name interned in the reader's dictionary, for cheap comparisons.
struct Interned {
    let name: XMLName
    let local: UnsafePointer<xmlChar>
    let namespace: UnsafePointer<xmlChar>?

    init(_ name: XMLName, _ reader: xmlTextReaderPtr) {
        self.name = name
        local = xmlTextReaderConstString(reader, name.local)
        namespace = name.namespace.map { xmlTextReaderConstString(reader, $0) }
    }

    /// Whether the reader's current node has this name.
    func matches(_ reader: xmlTextReaderPtr) -> Bool {
        matches(local: xmlTextReaderConstLocalName(reader), reader)
    }

    /// Same, with the node's local name already at hand (the namespace is asked only if needed).
    func matches(local l: UnsafePointer<xmlChar>?, _ reader: xmlTextReaderPtr) -> Bool {
        guard let l, l == local || xmlStrEqual(l, local) != 0 else { return false }
        guard let namespace else { return true }
        guard let ns = xmlTextReaderConstNamespaceUri(reader) else { return false }
        return ns == namespace || xmlStrEqual(ns, namespace) != 0
    }
}

/// The field paths as a tree below the item element: node 0 is the item.
struct XMLFieldTrie {
    struct Node {
        var name: Interned?
        var children: [Int] = []
        var attributes: [(name: Interned, slot: Int)] = []
        var slot: Int?
    }

    var nodes: [Node] = [Node(name: nil)]
    /// The same tree in flat arrays of plain values, for the per-element lookups (no reference
    /// counting on the hot path): node `n`'s children are `edges[edgeStart[n]..<edgeStart[n + 1]]`.
    private(set) var edgeStart: [Int] = []
    private(set) var edges: [Int] = []
    private(set) var local: [UnsafePointer<xmlChar>?] = []
    private(set) var namespace: [UnsafePointer<xmlChar>?] = []
    /// The configured slot of each node's text, -1 for none.
    private(set) var slot: [Int] = []
    private(set) var hasAttributes: [Bool] = []

    init(_ fields: [(field: StandardField, path: XMLPath)], _ reader: xmlTextReaderPtr) {
        for (slot, (_, path)) in fields.enumerated() {
            var at = 0
            for step in path.elements {
                if let existing = nodes[at].children.first(where: { nodes[$0].name?.name == step }) {
                    at = existing
                } else {
                    nodes.append(Node(name: Interned(step, reader)))
                    nodes[at].children.append(nodes.count - 1)
                    at = nodes.count - 1
                }
            }
            if let a = path.attribute {
                nodes[at].attributes.append((Interned(a, reader), slot))
            } else if nodes[at].slot == nil {
                nodes[at].slot = slot
            }
        }
        for n in nodes {
            edgeStart.append(edges.count)
            edges += n.children
            local.append(n.name?.local)
            namespace.append(n.name?.namespace)
            slot.append(n.slot ?? -1)
            hasAttributes.append(!n.attributes.isEmpty)
        }
        edgeStart.append(edges.count)
    }

    /// The child of `node` named like the reader's current element, or -1.
    func child(of node: Int, _ reader: xmlTextReaderPtr) -> Int {
        let first = edgeStart[node]
        let end = edgeStart[node + 1]
        if first == end { return -1 }
        guard let l = xmlTextReaderConstLocalName(reader) else { return -1 }
        for e in first..<end {
            let c = edges[e]
            guard let want = local[c], l == want || xmlStrEqual(l, want) != 0 else { continue }
            guard let ns = namespace[c] else { return c }
            if let got = xmlTextReaderConstNamespaceUri(reader), got == ns || xmlStrEqual(got, ns) != 0 { return c }
        }
        return -1
    }
}
