import AlmanacCore

/// One cell of a source row as `RowMapper` reads it: a typed value (odbc's TIMESTAMP, DATE and
/// TIME columns), text as UTF-8 bytes in the reader's own buffer (made a `String` only where it
/// becomes text of the event) or as a `String`, or why it cannot be read.
///
/// `.text` points into storage the reader owns: valid only while the row is being mapped.
public enum Cell {
    /// NULL (sql), or a value missing or empty (files).
    case absent
    /// UTF-8 text, valid (odbc validated it; file readers decode leniently, as `String(decoding:)`).
    case text(UnsafeBufferPointer<UInt8>)
    case string(String)
    case timestamp(WallClock)
    case date(CivilDate)
    case time(LocalTime)
    /// Bytes or code units that are not valid UTF-8 / UTF-16.
    case invalidText
    /// A value the driver cut.
    case truncated
    /// A value longer than `max_value_bytes` (the limit, in bytes).
    case tooLong(Int)
}

/// A row's cells, read by index (field `i`'s cell is `cell(i)`): what each source connector gives
/// `RowMapper` — odbc result rows, csv records and xml items (`ByteRow`), rows of strings.
public protocol RowCells {
    /// How many cells the row has (fields beyond are absent).
    var count: Int { get }
    /// Cell `i`, `0 ..< count`.
    func cell(_ i: Int) -> Cell
    /// Whether cell `i` is text of at least one byte, as `cell(i)` would say; a reader may answer
    /// true for a cell that cannot be read (the mapping reads it and fails).
    func hasText(_ i: Int) -> Bool
}

extension RowCells {
    public func hasText(_ i: Int) -> Bool { cell(i).hasText }
}

/// A row a reader gives cell by cell through functions (odbc's block cursor and row-at-a-time
/// readers): one concrete type, so that the mapper's walk is compiled for it (a generic walk
/// called from another module runs unspecialized, its every value handled through metadata).
public struct CellRow: RowCells {
    /// How a reader's rows are read: made once per result, then used for each of its rows.
    public struct Reader {
        let count: Int
        let cell: (_ row: Int, _ column: Int) -> Cell
        let hasText: (_ row: Int, _ column: Int) -> Bool

        public init(
            count: Int, cell: @escaping (_ row: Int, _ column: Int) -> Cell,
            hasText: @escaping (_ row: Int, _ column: Int) -> Bool
        ) {
            self.count = count
            self.cell = cell
            self.hasText = hasText
        }
    }

    let reader: Reader
    let row: Int

    public init(_ reader: Reader, row: Int) {
        self.reader = reader
        self.row = row
    }

    public var count: Int { reader.count }

    public func cell(_ i: Int) -> Cell { reader.cell(row, i) }

    public func hasText(_ i: Int) -> Bool { reader.hasText(row, i) }
}

/// A row of `String?` values (the csv and xml sinks, tests): nil and empty are absent.
struct StringRow: RowCells {
    let values: [String?]

    var count: Int { values.count }

    func cell(_ i: Int) -> Cell {
        guard let v = values[i], !v.isEmpty else { return .absent }
        return .string(v)
    }
}

extension ByteRow: RowCells {
    public var count: Int { fields.count }

    @inline(__always)
    public func cell(_ i: Int) -> Cell {
        let s = spans[i]
        guard s.count > 0 else { return .absent }
        return .text(UnsafeBufferPointer(rebasing: bytes[Int(s.start)..<Int(s.start) + Int(s.count)]))
    }

    @inline(__always)
    public func hasText(_ i: Int) -> Bool { spans[i].count > 0 }
}

extension Cell {
    /// The text of a text cell (an empty one too), nil for any other.
    var string: String? {
        switch self {
        case .text(let b): return Self.string(b)
        case .string(let s): return s
        default: return nil
        }
    }

    /// Whether the cell is text of at least one byte.
    public var hasText: Bool {
        switch self {
        case .text(let b): return b.count > 0
        case .string(let s): return !s.isEmpty
        default: return false
        }
    }

    /// The text without surrounding spaces and tabs.
    var trimmedString: String? {
        switch self {
        case .text(let b):
            var lo = 0
            var hi = b.count
            while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
            while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
            return Self.string(UnsafeBufferPointer(rebasing: b[lo..<hi]))
        case .string(let s): return FieldText.trimmed(s)
        default: return nil
        }
    }

    /// A text cell as `FieldText.flag` reads it, the common spellings compared as bytes.
    var flag: Bool? {
        if case .text(let v) = self, v.count == 1 {
            if v[0] == UInt8(ascii: "1") || v[0] == UInt8(ascii: "t") { return true }
            if v[0] == UInt8(ascii: "0") || v[0] == UInt8(ascii: "f") { return false }
        }
        return string.flatMap(FieldText.flag)
    }

    /// A text cell as `FieldText.status` reads it, the common spellings compared as bytes.
    var status: EventStatus? {
        if case .text(let v) = self {
            if Self.equal(v, "confirmed") { return .confirmed }
            if Self.equal(v, "tentative") { return .tentative }
            if Self.equal(v, "cancelled") { return .cancelled }
        }
        return string.flatMap(FieldText.status)
    }

    /// A text cell as `FieldText.response` reads it, the spellings as written compared as bytes.
    var response: ResponseStatus? {
        if case .text(let v) = self {
            if Self.equal(v, "accepted") { return .accepted }
            if Self.equal(v, "declined") { return .declined }
            if Self.equal(v, "needs_action") { return .needsAction }
            if Self.equal(v, "tentative") { return .tentative }
        }
        return string.flatMap(FieldText.response)
    }

    /// A custom field's value: text as it is, dates and times written out (odbc).
    var customText: String? {
        switch self {
        case .text, .string: return string
        case .timestamp(let t): return t.description
        case .date(let d): return d.description
        case .time(let t):
            // Two digits each, without Foundation's formatting.
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(two(t.hour)):\(two(t.minute)):\(two(t.second))"
        default: return nil
        }
    }

    /// `String(decoding:as:)` by another way to the same string (invalid UTF-8 repaired alike):
    /// it makes the `String` in place, in a fraction of the instructions.
    @inline(__always)
    static func string(_ b: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: b.count) { out in
            UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(b))
            return b.count
        }
    }

    @inline(__always)
    private static func equal(_ v: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard v.count == s.utf8CodeUnitCount else { return false }
        for k in 0..<v.count where v[k] != s.utf8Start[k] { return false }
        return true
    }
}
