import AlmanacCore

/// One source row whose values are UTF-8 bytes in a reader's own buffer, for `RowMapper`: only
/// the values that end up as text in the event become `String`s; dates, flags and statuses are
/// read from the bytes in place.
///
/// Valid only during the call it is passed to (it points into storage the reader reuses).
public struct ByteRow {
    /// Where a value's bytes are in `bytes`; a negative `count` is an absent value.
    public struct Span: Sendable {
        public var start: Int32
        public var count: Int32

        public static let absent = Span(start: 0, count: -1)

        public init(start: Int32, count: Int32) {
            self.start = start
            self.count = count
        }
    }

    public let fields: [StandardField]
    public let bytes: UnsafeBufferPointer<UInt8>
    /// At least `fields.count` spans: value `i` is field `i`'s.
    public let spans: UnsafeBufferPointer<Span>

    public init(fields: [StandardField], bytes: UnsafeBufferPointer<UInt8>, spans: UnsafeBufferPointer<Span>) {
        precondition(spans.count >= fields.count)
        self.fields = fields
        self.bytes = bytes
        self.spans = spans
    }

    /// The bytes of value `i` (empty when absent).
    @inline(__always)
    func value(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let s = spans[i]
        guard s.count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: bytes[Int(s.start)..<Int(s.start) + Int(s.count)])
    }
}

/// The values of a row as `RowMapper` reads them: `[String?]` (CSV, the XML sink) or `ByteRow`.
protocol RowSource {
    var count: Int { get }
    /// Whether value `i` is there and not empty.
    func present(_ i: Int) -> Bool
    /// Value `i`, present.
    func string(_ i: Int) -> String
    /// Value `i`, present, without surrounding spaces and tabs.
    func trimmedString(_ i: Int) -> String
    /// Value `i`, present, read with `format`.
    func time(_ i: Int, _ format: TimeFormat) -> ParsedTime?
    /// Value `i`, present, read as `FieldText.flag` reads it.
    func flag(_ i: Int) -> Bool?
    /// Value `i`, present, read as `FieldText.status` reads it.
    func status(_ i: Int) -> EventStatus?
}

extension RowSource {
    func flag(_ i: Int) -> Bool? { FieldText.flag(string(i)) }
    func status(_ i: Int) -> EventStatus? { FieldText.status(string(i)) }
}

struct StringRow: RowSource {
    let values: [String?]

    var count: Int { values.count }

    func present(_ i: Int) -> Bool {
        guard let v = values[i] else { return false }
        return !v.isEmpty
    }

    func string(_ i: Int) -> String { values[i]! }

    func trimmedString(_ i: Int) -> String { FieldText.trimmed(values[i]!) }

    func time(_ i: Int, _ format: TimeFormat) -> ParsedTime? { format.parse(values[i]!) }
}

extension ByteRow: RowSource {
    var count: Int { fields.count }

    @inline(__always)
    func present(_ i: Int) -> Bool { spans[i].count > 0 }

    func string(_ i: Int) -> String { String(decoding: value(i), as: UTF8.self) }

    func trimmedString(_ i: Int) -> String {
        let v = value(i)
        var lo = 0
        var hi = v.count
        while lo < hi && (v[lo] == 0x20 || v[lo] == 0x09) { lo += 1 }
        while hi > lo && (v[hi - 1] == 0x20 || v[hi - 1] == 0x09) { hi -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: v[lo..<hi]), as: UTF8.self)
    }

    func time(_ i: Int, _ format: TimeFormat) -> ParsedTime? { format.parse(bytes: value(i)) }

    /// The common spellings compared as bytes; the others through `FieldText` (a `String`).
    func flag(_ i: Int) -> Bool? {
        let v = value(i)
        if v.count == 1 {
            if v[0] == UInt8(ascii: "1") || v[0] == UInt8(ascii: "t") { return true }
            if v[0] == UInt8(ascii: "0") || v[0] == UInt8(ascii: "f") { return false }
        }
        return FieldText.flag(string(i))
    }

    /// The common spellings compared as bytes; the others through `FieldText` (a `String`).
    func status(_ i: Int) -> EventStatus? {
        let v = value(i)
        if Self.equal(v, "confirmed") { return .confirmed }
        if Self.equal(v, "tentative") { return .tentative }
        if Self.equal(v, "cancelled") { return .cancelled }
        return FieldText.status(string(i))
    }

    @inline(__always)
    private static func equal(_ v: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard v.count == s.utf8CodeUnitCount else { return false }
        for k in 0..<v.count where v[k] != s.utf8Start[k] { return false }
        return true
    }
}
