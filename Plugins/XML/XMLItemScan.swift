import AlmanacCore
import CLibXML2
import FileConnectorSupport
import RowMapping

#if canImport(Glibc)
    import Glibc
#endif

/// The values of the item element the reader is on, gathered into storage kept from one item to
/// the next: reading an item makes no `String` and no Swift object at all — its values are
/// UTF-8 bytes in one buffer (`bytes`, copied there once from the reader), read in place by
/// `RowMapper` (`withRow`) and by the version hash.
///
/// A value type used in place by `XMLItemReader` (one access per item, none per node). Mapped
/// paths fill the first `fieldCount` values of the row (first occurrence wins); the other direct
/// children and attributes of the item are `extras`, under their own names, in document order.
struct XMLItemScan: ~Copyable {
    typealias Span = ByteRow.Span

    private let reader: xmlTextReaderPtr
    private let trie: XMLFieldTrie
    private let children: XMLChildLookup
    let fieldCount: Int
    private let configuredFields: [StandardField]

    /// A name of unmapped children and attributes, found by the reader's interned name pointer
    /// and, unless it is one of the reader's dictionary (`interned`: it names the same string for
    /// the reader's life), checked against a copy of its bytes (so a recycled pointer cannot alias
    /// another name).
    struct Name {
        var pointer: UnsafePointer<xmlChar>?
        var interned: Bool
        var bytes: [UInt8]
        var name: String
        var field: StandardField
        /// A configured field is this field too: the configured value wins in the row.
        var shadowed: Bool
    }
    /// Few in any real document: a short list beats hashing.
    private(set) var names: [Name] = []

    /// The item's values, one after the other: `used` bytes of `capacity`. A value being gathered
    /// (`captureStart..<captureEnd`) is moved to the end when another value was added after it.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity = 4096
    private var used = 0

    /// The item's other values: `names` entry and value; only the first `extraCount` are this item's.
    private var extraNames: [Int] = []
    private var extraSpans: [Span] = []
    private var extraCount = 0

    /// The item as a row for `RowMapper`: the configured fields, then each extra under its own
    /// name unless a field before has that name. Items of one export have the same children, so
    /// `rowFields` is kept while the names of the extras (`rowNames`) stay the same.
    private var rowFields: [StandardField]
    /// The values of `rowFields`: the configured slots (absent until filled: first occurrence
    /// wins), then the extras used.
    private var rowSpans: [Span]
    private var rowNames: [Int] = [-1]
    private var rowExtra: [Bool] = []
    /// The last shapes of item seen (`rowNames`, `rowFields`, `rowExtra`), the latest first: an
    /// export whose items have an optional child alternates between two or three.
    private var shapes: [(names: [Int], fields: [StandardField], extra: [Bool])] = []

    private struct Frame {
        var node: Int
        /// >= 0: a configured slot; -2: the default capture of a direct child; -1: none.
        var capture: Int
        var owns: Bool
        var hadElement: Bool
    }
    /// The open elements of the item, a stack in storage of its own (`frameCount` of
    /// `frameCapacity`): no uniqueness check of an array on every node.
    private var frames: UnsafeMutablePointer<Frame>
    private var frameCount = 0
    private var frameCapacity = 16
    /// Where the text being gathered for each slot (elements may nest), and at `fieldCount` for
    /// the default capture, is in `bytes` (`fieldCount + 1` each).
    private let captureStart: UnsafeMutablePointer<Int>
    private let captureEnd: UnsafeMutablePointer<Int>
    private var defaultName = -1

    init(reader: xmlTextReaderPtr, trie: XMLFieldTrie, fields: [StandardField]) {
        self.reader = reader
        self.trie = trie
        children = XMLChildLookup(reader: reader, trie: trie)
        fieldCount = fields.count
        configuredFields = fields
        rowFields = fields
        rowSpans = [Span](repeating: .absent, count: fields.count)
        captureStart = .allocate(capacity: fields.count + 1)
        captureStart.initialize(repeating: 0, count: fields.count + 1)
        captureEnd = .allocate(capacity: fields.count + 1)
        captureEnd.initialize(repeating: 0, count: fields.count + 1)
        frames = .allocate(capacity: frameCapacity)
        bytes = .allocate(capacity: capacity)
    }

    deinit {
        bytes.deallocate()
        frames.deallocate()
        captureStart.deallocate()
        captureEnd.deallocate()
    }

    private mutating func push(_ frame: Frame) {
        if frameCount == frameCapacity {
            let grown = UnsafeMutablePointer<Frame>.allocate(capacity: frameCapacity * 2)
            grown.moveInitialize(from: frames, count: frameCount)
            frames.deallocate()
            frames = grown
            frameCapacity *= 2
        }
        (frames + frameCount).initialize(to: frame)
        frameCount += 1
    }

    /// Reads the item element the reader is on, up to its end tag. False when the document ends
    /// or is not well-formed before that (the caller reports the parse failure).
    mutating func read(empty: Bool) -> Bool {
        // A document with ever new names (generated ones) must not grow the list without end.
        if names.count > 256 {
            names.removeAll()
            rowNames = [-1]
            shapes.removeAll()
        }
        for i in 0..<fieldCount { rowSpans[i] = .absent }
        used = 0
        extraCount = 0
        readAttributes(node: 0, extras: true)
        if empty { return true }
        frameCount = 0
        push(Frame(node: 0, capture: -1, owns: false, hadElement: false))
        while true {
            guard xmlTextReaderRead(reader) == 1 else { return false }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                let parent = frames[frameCount - 1]
                frames[frameCount - 1].hadElement = true
                let child = parent.node >= 0 ? children.child(of: parent.node) : -1
                var frame = Frame(node: child, capture: -1, owns: false, hadElement: false)
                if child >= 0, case let slot = trie.slot[child], slot >= 0, rowSpans[slot].count < 0 {
                    frame.capture = slot
                    frame.owns = true
                    captureStart[slot] = used
                    captureEnd[slot] = used
                } else if parent.capture != -1 {
                    frame.capture = parent.capture
                } else if frameCount == 1 && child < 0 {
                    frame.capture = -2
                    frame.owns = true
                    defaultName = localName()
                    captureStart[fieldCount] = used
                    captureEnd[fieldCount] = used
                }
                if child >= 0 && trie.hasAttributes(child) { readAttributes(node: child, extras: false) }
                if xmlTextReaderIsEmptyElement(reader) == 1 {
                    close(frame)
                } else {
                    push(frame)
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                frameCount -= 1
                let f = frames[frameCount]
                if frameCount == 0 { return true }
                close(f)
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
                let capture = frames[frameCount - 1].capture
                guard capture != -1, let v = xmlTextReaderConstValue(reader) else { continue }
                gather(capture >= 0 ? capture : fieldCount, v, strlen(v))
            default:
                continue
            }
        }
    }

    private mutating func close(_ f: Frame) {
        guard f.owns else { return }
        if f.capture >= 0 {
            rowSpans[f.capture] = trimmed(captureStart[f.capture], captureEnd[f.capture])
        } else if f.capture == -2, !f.hadElement {
            addExtra(defaultName, trimmed(captureStart[fieldCount], captureEnd[fieldCount]))
        }
    }

    /// Adds `count` bytes at `text` to capture `c`, moving what it has to the end first if
    /// another value was added after it.
    private mutating func gather(_ c: Int, _ text: UnsafePointer<UInt8>, _ count: Int) {
        if captureEnd[c] != used {
            let start = captureStart[c]
            let length = captureEnd[c] - start
            reserve(length)
            (bytes + used).update(from: bytes + start, count: length)
            captureStart[c] = used
            used += length
        }
        append(text, count)
        captureEnd[c] = used
    }

    /// Copies `count` bytes at `p` to the end of `bytes`; returns where they are.
    @discardableResult
    private mutating func append(_ p: UnsafePointer<UInt8>?, _ count: Int) -> Span {
        reserve(count)
        if let p, count > 0 { (bytes + used).update(from: p, count: count) }
        let span = Span(start: Int32(truncatingIfNeeded: used), count: Int32(truncatingIfNeeded: count))
        used += count
        return span
    }

    private mutating func reserve(_ count: Int) {
        guard used + count > capacity else { return }
        while used + count > capacity { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: used)
        bytes.deallocate()
        bytes = grown
    }

    private mutating func addExtra(_ name: Int, _ span: Span) {
        if extraCount < extraNames.count {
            extraNames[extraCount] = name
            extraSpans[extraCount] = span
        } else {
            extraNames.append(name)
            extraSpans.append(span)
        }
        extraCount += 1
    }

    /// Attributes of the current element mapped by trie node `node`; with `extras`, the others
    /// (not namespace declarations) too.
    private mutating func readAttributes(node: Int, extras: Bool) {
        guard xmlTextReaderHasAttributes(reader) == 1 else { return }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            let slot = trie.attributeSlot(of: node, reader)
            guard slot >= 0 ? rowSpans[slot].count < 0 : extras else { continue }
            let v = xmlTextReaderConstValue(reader)
            let span = append(v, v.map { strlen($0) } ?? 0)
            if slot >= 0 {
                rowSpans[slot] = span
            } else {
                addExtra(localName(), span)
            }
        }
        xmlTextReaderMoveToElement(reader)
    }

    /// The `names` entry of the reader's current node's local name.
    private mutating func localName() -> Int {
        let p = xmlTextReaderConstLocalName(reader)
        for i in names.indices where names[i].pointer == p {
            guard let p else { return i }
            if names[i].interned || names[i].bytes.withUnsafeBufferPointer({ strcmp($0.baseAddress!, p) == 0 }) {
                return i
            }
        }
        let name = p.map { String(cString: $0) } ?? ""
        let field = StandardField(name: name)
        names.append(
            Name(
                pointer: p, interned: p != nil && xmlTextReaderConstString(reader, p) == p,
                bytes: Array(name.utf8) + [0], name: name, field: field,
                shadowed: configuredFields.contains(field)))
        return names.count - 1
    }

    /// The text of `span` (nil when absent).
    private func string(_ span: Span) -> String? {
        guard span.count >= 0 else { return nil }
        let value = UnsafeBufferPointer(start: bytes + Int(span.start), count: Int(span.count))
        return String(decoding: value, as: UTF8.self)
    }

    /// The item as `XMLItemValues` (what the sink works with).
    var values: XMLItemValues {
        var out = XMLItemValues(count: fieldCount)
        for i in 0..<fieldCount { out.configured[i] = string(rowSpans[i]) }
        for k in 0..<extraCount {
            let n = names[extraNames[k]]
            out.extras.append(.init(n.name, string(extraSpans[k]) ?? "", field: n.field))
        }
        return out
    }

    /// `XMLItemValues.version` of the item, hashed from its bytes without building the values:
    /// what `XMLItemValues.version` adds piece by piece (a field's number, a value, a separator,
    /// …) is laid out once after the item's values and added in one piece — the same hash,
    /// `ContentHash` mixes words of 8 bytes whatever the pieces, and ~25 calls fewer an item.
    mutating func version() -> String {
        let start = used
        for i in 0..<fieldCount where rowSpans[i].count > 0 {
            var number = UInt32(i).littleEndian
            withUnsafeBytes(of: &number) { put($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 4) }
            putValue(rowSpans[i])
        }
        putSeparator()
        for k in 0..<extraCount where extraSpans[k].count > 0 {
            // The name without its NUL.
            names[extraNames[k]].bytes.withUnsafeBufferPointer { put($0.baseAddress!, $0.count - 1) }
            putSeparator()
            putValue(extraSpans[k])
        }
        var h = ContentHash()
        h.add(UnsafeRawBufferPointer(start: bytes + start, count: used - start))
        used = start
        return h.hex
    }

    /// Copies `count` bytes at `p` (not in `bytes`) to the end of `bytes`.
    private mutating func put(_ p: UnsafePointer<UInt8>, _ count: Int) {
        reserve(count)
        (bytes + used).update(from: p, count: count)
        used += count
    }

    /// The value at `s` and a separator (`ContentHash.separator`'s byte) at the end of `bytes`.
    private mutating func putValue(_ s: Span) {
        let count = Int(s.count)
        reserve(count + 1)
        (bytes + used).update(from: bytes + Int(s.start), count: count)
        used += count
        bytes[used] = 0x1F
        used += 1
    }

    private mutating func putSeparator() {
        reserve(1)
        bytes[used] = 0x1F
        used += 1
    }

    /// Sets the row's fields and values for the item (`XMLItemValues.row` without new arrays).
    mutating func fillRow() {
        var same = rowNames.count == extraCount
        if same { for k in 0..<extraCount where rowNames[k] != extraNames[k] { same = false; break } }
        if same {
            var j = fieldCount
            for k in 0..<extraCount where rowExtra[k] {
                rowSpans[j] = extraSpans[k]
                j += 1
            }
            return
        }
        rowSpans.removeSubrange(fieldCount...)
        if let i = shapes.firstIndex(where: { $0.names.elementsEqual(extraNames[0..<extraCount]) }) {
            (rowNames, rowFields, rowExtra) = shapes[i]
            for k in 0..<extraCount where rowExtra[k] { rowSpans.append(extraSpans[k]) }
            return
        }
        rowNames = Array(extraNames[0..<extraCount])
        rowExtra.removeAll(keepingCapacity: true)
        rowFields.removeSubrange(fieldCount...)
        defer {
            shapes.insert((rowNames, rowFields, rowExtra), at: 0)
            if shapes.count > 4 { shapes.removeLast() }
        }
        for k in 0..<extraCount {
            let n = names[extraNames[k]]
            let used = !n.shadowed && !rowFields[fieldCount...].contains(n.field)
            rowExtra.append(used)
            guard used else { continue }
            rowFields.append(n.field)
            rowSpans.append(extraSpans[k])
        }
    }

    /// Calls `body` with the row `fillRow` made (valid during the call only).
    func withRow<R>(_ body: (ByteRow) -> R) -> R {
        rowSpans.withUnsafeBufferPointer { s in
            body(ByteRow(fields: rowFields, bytes: UnsafeBufferPointer(start: bytes, count: used), spans: s))
        }
    }

    /// `bytes[start..<end]` without surrounding XML white space.
    private func trimmed(_ start: Int, _ end: Int) -> Span {
        var lo = start
        var hi = end
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
        while lo < hi && space(bytes[lo]) { lo += 1 }
        while hi > lo && space(bytes[hi - 1]) { hi -= 1 }
        return Span(start: Int32(truncatingIfNeeded: lo), count: Int32(truncatingIfNeeded: hi - lo))
    }
}
