/// The UTF-8 text values of one fetched rowset, copied back to back in row order and validated
/// by the thread that fetched them (`ResultReader.fetch(into:)`), while they are still in its
/// cache.
///
/// A block cursor's buffers hold each value in a slot as wide as the column's buffer (256 bytes
/// or more), column after column: the thread that maps the rows would read each value from
/// another cache line, one the fetching thread wrote on the other core, row after row. Packed,
/// a row's values are a few adjacent lines, read in order.
final class PackedText: @unchecked Sendable {
    // @unchecked: used by one thread at a time, handed over with its rowset (`FetchPipeline`).

    /// Where each value starts in `bytes`, per row then per column (`columns` entries a row):
    /// `invalid` when its bytes are not valid UTF-8; not written for a value the reader does not
    /// take from here (NULL, cut, too long, or a column not read as UTF-8).
    let starts: UnsafeMutablePointer<Int>
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let columns: Int

    static let invalid = -1

    init(rows: Int, columns: Int) {
        self.columns = max(columns, 1)
        starts = .allocate(capacity: rows * self.columns)
        capacity = 4_096
        bytes = .allocate(capacity: capacity)
    }

    deinit {
        starts.deallocate()
        bytes.deallocate()
    }

    /// Packs the values of `count` rows: for row `r` and each column `c` of `text`, the value is
    /// `length(r, c)` bytes at `value(r, c)`, or is not packed when `length` gives nil. The value
    /// of row `r` and column `c` is then at `bytes + starts[r * columns + c]`.
    func pack(
        count: Int, text: [Int], length: (_ row: Int, _ column: Int) -> Int?,
        value: (_ row: Int, _ column: Int) -> UnsafePointer<UInt8>
    ) {
        var at = 0
        for row in 0..<count {
            for column in text {
                guard let n = length(row, column) else { continue }
                if at + n > capacity { grow(to: at + n) }
                let out = bytes + at
                out.update(from: value(row, column), count: n)
                let valid = TextDecoding.isUTF8(UnsafeBufferPointer(start: out, count: n))
                starts[row * columns + column] = valid ? at : Self.invalid
                at += n
            }
        }
    }

    /// Room for `needed` bytes, those packed so far kept.
    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let wider = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        wider.update(from: bytes, count: capacity)
        bytes.deallocate()
        bytes = wider
        capacity = size
    }

}
