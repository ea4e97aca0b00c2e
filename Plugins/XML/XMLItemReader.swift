import AlmanacCore
import CLibXML2
import FileConnectorSupport
import Foundation
import RowMapping

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
    private let steps: [Interned]
    /// The steps' interned names, as plain pointers for the per-node comparisons.
    private let stepLocal: [UnsafePointer<xmlChar>?]
    private let stepNamespace: [UnsafePointer<xmlChar>?]
    // Read and written on every item by the one caller of `nextRecord`: no dynamic exclusivity
    // check (~90 instructions each) on these.
    @exclusivity(unchecked) private var matched = 0
    @exclusivity(unchecked) private(set) var itemsSeen = 0
    @exclusivity(unchecked) private(set) var valid = 0
    @exclusivity(unchecked) private(set) var problems = 0
    private(set) var firstProblem: String?
    private var locator: LineLocator?
    /// Line, start-tag name (as in the document, interned by the reader) and index among such
    /// tags on that line of the last item, for the column of an item problem.
    @exclusivity(unchecked) private var itemLine = 0
    @exclusivity(unchecked) private var itemTag: UnsafePointer<xmlChar>?
    @exclusivity(unchecked) private var itemOnLine = 0

    /// The item being read.
    @exclusivity(unchecked) private var work: XMLItemScan

    /// Opens `url`. Without a `mapper`, only the raw values (`nextValues`) can be read.
    init(url: URL, settings: XMLSettings, source: FileSource, mapper: RowMapper? = nil) throws {
        self.url = url
        self.mapper = mapper
        self.name = url.lastPathComponent
        self.settings = settings
        stamp = try source.stableStamp(url)
        guard stamp.size > 0 else {
            throw AlmanacError(
                .xmlEmptyFile,
                "\(url.path) is empty (0 bytes): an export being written, or a failed one — nothing is read from it")
        }
        guard stamp.size <= settings.maxBytes else {
            throw AlmanacError(
                .xmlTooLarge,
                "\(url.path) is \(stamp.size >> 20) MB, over max_size_mb = \(settings.maxBytes >> 20): raise the limit if the file is expected"
            )
        }
        almanac_xml_silence()
        // Not XML_PARSE_NOBLANKS, though it saves libxml2 ~12% here: it drops the white space between
        // the children of a mapped element (`<Who><First>Jane</First> <Last>Doe</Last></Who>` → "JaneDoe").
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_NOCDATA.rawValue)
        guard let r = xmlReaderForFile(url.path, nil, options) else {
            throw AlmanacError(.xmlUnreadable, "cannot open \(url.path)")
        }
        reader = r
        xmlTextReaderSetStructuredErrorHandler(r, XMLErrors.handler, Unmanaged.passUnretained(errors).toOpaque())
        steps = settings.item.elements.map { Interned($0, r) }
        stepLocal = steps.map(\.local)
        stepNamespace = steps.map(\.namespace)
        work = XMLItemScan(reader: r, trie: XMLFieldTrie(settings.fields, r), fields: settings.fields.map(\.field))
    }

    deinit { xmlFreeTextReader(reader) }

    /// The next item or problem, mapped with the `mapper` given at init; nil at the end of the
    /// document. With `window`, items that certainly start outside it are skipped unmapped.
    func nextRecord(window: TimeWindow?) throws -> FileRecord? {
        var items: [SourceItem] = []
        var problem: ItemProblem?
        guard try nextRecord(window: window, into: &items, problem: &problem) else { return nil }
        if let problem { return .problem(problem) }
        return .item(items.removeLast())
    }

    /// `nextRecord(window:)` for a listing's page (`FileRecordReader`): an item is appended to
    /// `items`, a problem put in `problem`; false at the end of the document.
    func nextRecord(window: TimeWindow?, into items: inout [SourceItem], problem: inout ItemProblem?) throws -> Bool {
        guard let mapper else { preconditionFailure("XMLItemReader opened without a mapper cannot map items") }
        while let line = try nextItem() {
            work.fillRow()
            let outcome = work.withRow { mapper.map(row: $0, window: window, locator: "\(name) line \(line)") }
            if case .outside = outcome {
                valid += 1
                continue
            }
            var version = work.version()
            if let rules = mapper.contacts { version += ":" + rules.versionTag }
            switch consume outcome {
            case .outside:
                continue
            case .item(let key, let event):
                valid += 1
                items.append(SourceItem(key: key, version: version, event: event))
                return true
            case .problem(let p):
                problems += 1
                let located = withColumn(p)
                if firstProblem == nil { firstProblem = located.description }
                problem = located
                return true
            }
        }
        return false
    }

    /// The line where the last item returned starts.
    var recordLine: Int { itemLine }

    /// The problem for the item last returned, whose key an earlier item (`firstAt`) has.
    func duplicate(key: String, firstAt: String) -> ItemProblem {
        withColumn(DuplicateKey.problem(key: key, at: "\(name) line \(itemLine)", firstAt: firstAt))
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
        guard let line = try nextItem() else { return nil }
        return (work.values, line)
    }

    /// Reads the next item into `work`; returns the line it starts on, nil at the end.
    private func nextItem() throws -> Int? {
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { return nil }
            if status < 0 { throw parseFailure() }
            let type = xmlTextReaderNodeType(reader)
            let depth = Int(xmlTextReaderDepth(reader))
            if type == Int32(XML_READER_TYPE_ELEMENT.rawValue) {
                if depth == 0 && !Interned.matches(reader, local: stepLocal[0], namespace: stepNamespace[0]) {
                    let found = String(cString: xmlTextReaderConstName(reader))
                    throw AlmanacError(
                        .xmlUnexpectedDocument,
                        "\(url.path): the root element is <\(found)>, but item = \"\(settings.item)\" expects <\(steps[0].name)> — not the document the profile describes"
                    )
                }
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                if matched == depth && depth < stepLocal.count
                    && Interned.matches(reader, local: stepLocal[depth], namespace: stepNamespace[depth])
                {
                    matched = depth + 1
                    if matched == stepLocal.count {
                        let line = Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader)))
                        itemOnLine = line == itemLine ? itemOnLine + 1 : 0
                        itemLine = line
                        itemTag = xmlTextReaderConstName(reader)
                        guard work.read(empty: empty) else { throw parseFailure() }
                        matched = depth
                        itemsSeen += 1
                        return line
                    }
                }
                if empty && matched > depth { matched = depth }
            } else if type == Int32(XML_READER_TYPE_END_ELEMENT.rawValue) {
                if matched > depth { matched = depth }
            }
        }
    }

    private func parseFailure() -> AlmanacError {
        guard let e = errors.firstFatal else {
            return AlmanacError(
                .xmlParseFailed,
                "\(url.path): the document ends early — the file is truncated; nothing is read from it")
        }
        return AlmanacError(
            .xmlParseFailed,
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
        Interned.matches(reader, local: local, namespace: namespace)
    }

    /// Whether the reader's current node has the local name `local` (interned) and, when one is
    /// given, the namespace `namespace` (asked only if the local name matches).
    @inline(__always)
    static func matches(
        _ reader: xmlTextReaderPtr, local: UnsafePointer<xmlChar>?, namespace: UnsafePointer<xmlChar>?
    ) -> Bool {
        guard let local, let l = xmlTextReaderConstLocalName(reader), l == local || xmlStrEqual(l, local) != 0
        else { return false }
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
    /// Node `n`'s mapped attributes are `attribute…[attributeStart[n]..<attributeStart[n + 1]]`.
    private(set) var attributeStart: [Int] = []
    private(set) var attributeLocal: [UnsafePointer<xmlChar>?] = []
    private(set) var attributeNamespace: [UnsafePointer<xmlChar>?] = []
    private(set) var attributeSlot: [Int] = []
    /// Whether node `n` has children, none of them with a namespace (`XMLChildLookup`).
    private(set) var cacheable: [Bool] = []

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
            cacheable.append(!n.children.isEmpty && n.children.allSatisfy { nodes[$0].name?.namespace == nil })
            attributeStart.append(attributeSlot.count)
            for a in n.attributes {
                attributeLocal.append(a.name.local)
                attributeNamespace.append(a.name.namespace)
                attributeSlot.append(a.slot)
            }
        }
        edgeStart.append(edges.count)
        attributeStart.append(attributeSlot.count)
    }

    /// Whether node `n` maps attributes.
    func hasAttributes(_ n: Int) -> Bool { attributeStart[n] != attributeStart[n + 1] }

    /// The slot of the mapped attribute of node `n` the reader is on, or -1.
    func attributeSlot(of n: Int, _ reader: xmlTextReaderPtr) -> Int {
        for a in attributeStart[n]..<attributeStart[n + 1]
        where Interned.matches(reader, local: attributeLocal[a], namespace: attributeNamespace[a]) {
            return attributeSlot[a]
        }
        return -1
    }

    /// The child of `node` named like the reader's current element, or -1.
    func child(of node: Int, _ reader: xmlTextReaderPtr) -> Int {
        let first = edgeStart[node]
        let end = edgeStart[node + 1]
        if first == end { return -1 }
        guard let l = xmlTextReaderConstLocalName(reader) else { return -1 }
        for e in first..<end {
            let c = edges[e]
            // Names are interned in the reader's dictionary: the bytes are compared only when the
            // pointers differ and the first bytes agree.
            guard let want = local[c], l == want || (l[0] == want[0] && xmlStrEqual(l, want) != 0) else { continue }
            guard let ns = namespace[c] else { return c }
            if let got = xmlTextReaderConstNamespaceUri(reader), got == ns || xmlStrEqual(got, ns) != 0 { return c }
        }
        return -1
    }
}

/// `XMLFieldTrie.child` remembered by the reader's interned name pointer, for the nodes whose
/// children have no namespace (`cacheable`: the answer depends on the local name alone). Node
/// `n`'s `size` entries start at `n * size`, a small open-addressed table (once full, names not in
/// it are looked up in the trie each time). Only pointers of the reader's dictionary are kept:
/// they name the same string for the reader's life (a name allocated apart could be freed and its
/// address reused).
struct XMLChildLookup: ~Copyable {
    private static let size = 32
    private let reader: xmlTextReaderPtr
    private let trie: XMLFieldTrie
    private let remembered: UnsafeMutablePointer<(name: UnsafePointer<xmlChar>?, child: Int)>

    init(reader: xmlTextReaderPtr, trie: XMLFieldTrie) {
        self.reader = reader
        self.trie = trie
        let count = trie.cacheable.count * Self.size
        remembered = .allocate(capacity: count)
        remembered.initialize(repeating: (nil, -1), count: count)
    }

    deinit { remembered.deallocate() }

    /// The child of trie node `node` named like the reader's current element, or -1.
    func child(of node: Int) -> Int {
        guard trie.cacheable[node], let name = xmlTextReaderConstLocalName(reader) else {
            return trie.child(of: node, reader)
        }
        let table = remembered + node * Self.size
        var k = Int(truncatingIfNeeded: (UInt(bitPattern: name) &* 0x9E37_79B9_7F4A_7C15) >> 59)
        for _ in 0..<Self.size {
            guard let known = table[k].name else {
                let found = trie.child(of: node, reader)
                if xmlTextReaderConstString(reader, name) == name { table[k] = (name, found) }
                return found
            }
            if known == name { return table[k].child }
            k = (k + 1) & (Self.size - 1)
        }
        return trie.child(of: node, reader)
    }
}
