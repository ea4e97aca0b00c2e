/// Splits a byte stream into newline-terminated lines of at most `limit` bytes (NDJSON framing,
/// ARCHITECTURE.md §6: 1 MiB). A longer line is skipped up to its newline and reported as `.oversized`
/// once, so a peer that misbehaves can neither grow our memory nor desynchronise the stream.
public struct LineFramer: Sendable {
    public enum Frame: Sendable, Hashable {
        case line([UInt8])
        /// A line over the limit was dropped; `bytes` is its length as far as it was seen.
        case oversized(bytes: Int)
    }

    public static let defaultLimit = 1 << 20

    public let limit: Int
    private var buffer: [UInt8] = []
    private var discarding = false
    private var discarded = 0

    public init(limit: Int = LineFramer.defaultLimit) { self.limit = limit }

    /// Feeds bytes; returns the frames they complete, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [Frame] {
        var out: [Frame] = []
        var start = 0
        let count = bytes.count
        while start < count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            if let nl = rest.firstIndex(of: 0x0A) {
                let piece = UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<nl])
                if discarding {
                    out.append(.oversized(bytes: discarded + piece.count))
                    discarding = false
                    discarded = 0
                } else if buffer.count + piece.count > limit {
                    out.append(.oversized(bytes: buffer.count + piece.count))
                    buffer.removeAll(keepingCapacity: false)
                } else {
                    buffer.append(contentsOf: piece)
                    out.append(.line(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
                start += piece.count + 1
            } else {
                if discarding {
                    discarded += rest.count
                } else if buffer.count + rest.count > limit {
                    discarding = true
                    discarded = buffer.count + rest.count
                    buffer.removeAll(keepingCapacity: false)
                } else {
                    buffer.append(contentsOf: rest)
                }
                start = count
            }
        }
        return out
    }

    /// Convenience for tests and small inputs.
    public mutating func feed(_ bytes: [UInt8]) -> [Frame] {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// What is left without a newline (at EOF: a last, unterminated line).
    public mutating func flush() -> [UInt8]? {
        defer { buffer.removeAll() }
        return buffer.isEmpty || discarding ? nil : buffer
    }
}
