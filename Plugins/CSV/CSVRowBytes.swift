import FileConnectorSupport
import RowMapping

/// The mapped values of one CSV record as UTF-8 bytes in one buffer kept from record to record,
/// for `RowMapper` to read in place (`ByteRow`): a record makes no `String` until the mapper
/// makes the event's text. The record is copied in one piece; doubled quotes are undone in the
/// copy, values in other encodings are transcoded to its end, UTF-8 is checked where a byte is
/// over 0x7F.
struct CSVRowBytes: ~Copyable {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity = 1024
    private var used = 0
    /// One span per mapped column.
    private var spans: UnsafeMutablePointer<ByteRow.Span>
    let width: Int

    init(width: Int) {
        self.width = width
        bytes = .allocate(capacity: capacity)
        spans = .allocate(capacity: max(width, 1))
        spans.initialize(repeating: .absent, count: max(width, 1))
    }

    deinit {
        bytes.deallocate()
        spans.deallocate()
    }

    enum Filled {
        /// Every mapped column is empty: a blank record.
        case empty
        case values
        /// The value of column `column` is not valid in the file's encoding.
        case invalid(column: Int)
    }

    /// Takes the values of `columns` (mapped column i is field `columns[i]`) of the scanner's
    /// record: the record is copied once, quotes are undone in the copy; empty fields are absent.
    mutating func fill(_ scanner: CSVScanner, columns: [Int], encoding: TextEncoding) -> Filled {
        let base = scanner.recordStart
        let count = scanner.recordEnd - base
        used = 0
        reserve(count)
        bytes.update(from: scanner.buffer + base, count: count)
        used = count
        let high = CSVRowBytes.hasHighBytes(bytes, count)
        var empty = true
        let fields = scanner.fields
        for i in 0..<width {
            let f = fields[columns[i]]
            if f.start == f.end {
                spans[i] = .absent
                continue
            }
            let start = f.start - base
            var end = f.end - base
            if f.escaped { end = unescape(start, end) }
            if high && CSVRowBytes.hasHighBytes(bytes + start, end - start) {
                guard let span = encoded(start, end, encoding) else { return .invalid(column: columns[i]) }
                spans[i] = span
            } else {
                spans[i] = ByteRow.Span(
                    start: Int32(truncatingIfNeeded: start), count: Int32(truncatingIfNeeded: end - start))
            }
            empty = false
        }
        return empty ? .empty : .values
    }

    /// Undoes the doubled quotes of the value at `start..<end` in place; returns its new end.
    private func unescape(_ start: Int, _ end: Int) -> Int {
        var r = start
        var w = start
        while r < end {
            let b = bytes[r]
            bytes[w] = b
            w += 1
            r += (b == 0x22 && r + 1 < end && bytes[r + 1] == 0x22) ? 2 : 1
        }
        return w
    }

    /// The value at `start..<end` (with bytes over 0x7F) as UTF-8: checked in place for UTF-8,
    /// transcoded to the end of the buffer for the other encodings; nil when it is not valid UTF-8.
    private mutating func encoded(_ start: Int, _ end: Int, _ encoding: TextEncoding) -> ByteRow.Span? {
        let value = UnsafeBufferPointer(start: bytes + start, count: end - start)
        guard encoding != .utf8 else {
            guard CSVRowBytes.validUTF8(value) else { return nil }
            return ByteRow.Span(start: Int32(truncatingIfNeeded: start), count: Int32(truncatingIfNeeded: end - start))
        }
        let text = encoding.decode(value) ?? ""
        let at = used
        reserve(text.utf8.count)
        for b in text.utf8 {
            bytes[used] = b
            used += 1
        }
        return ByteRow.Span(start: Int32(truncatingIfNeeded: at), count: Int32(truncatingIfNeeded: used - at))
    }

    /// Whether any of the `count` bytes at `p` is over 0x7F (eight at a time).
    private static func hasHighBytes(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let raw = UnsafeRawPointer(p)
        var i = 0
        var any: UInt64 = 0
        while i + 8 <= count {
            any |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            any |= UInt64(p[i])
            i += 1
        }
        return any & 0x8080_8080_8080_8080 != 0
    }

    /// Calls `body` with the record as a row of `fields` (one per mapped column, in order).
    func withRow<R>(fields: [StandardField], _ body: (ByteRow) -> R) -> R {
        body(
            ByteRow(
                fields: fields, bytes: UnsafeBufferPointer(start: bytes, count: used),
                spans: UnsafeBufferPointer(start: spans, count: width)))
    }

    private mutating func reserve(_ count: Int) {
        guard used + count > capacity else { return }
        while used + count > capacity { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: used)
        bytes.deallocate()
        bytes = grown
    }

    private static func validUTF8(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = value.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
