import AlmanacCore

/// One source row whose values are UTF-8 bytes in a reader's own buffer, for `RowMapper` (its cells are `.text` or `.absent`): only
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
}
