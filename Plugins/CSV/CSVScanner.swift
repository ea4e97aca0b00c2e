import AlmanacCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Splits RFC 4180 records out of a file read in fixed-size buffers (memory does not grow with
/// the file, only with the longest record): quoted fields, doubled quotes, delimiters and line
/// breaks inside quotes, CRLF or LF (or CR) line ends, a UTF-8 byte-order mark.
///
/// `next()` returns the fields of the next record as byte ranges of the buffer, valid until the
/// next call. A record broken beyond repair (text after a closing quote) comes back as
/// `.malformed` and is skipped up to the next line end. Thrown (`csv.*` codes): an unterminated
/// quote at the end of the file (`csv.truncated`), a record larger than `maxRecordBytes`,
/// a read error.
final class CSVScanner {
    struct Field {
        var start: Int
        var end: Int
        /// Quoted with doubled quotes inside: `value` must undo them.
        var escaped: Bool
    }

    enum Record {
        /// `fields` hold the record; `line` is the physical line where it starts.
        case fields(line: Int)
        case malformed(line: Int, reason: String)
    }

    static let bufferSize = 1 << 20
    static let maxRecordBytes = 64 << 20

    let fd: Int32
    let delimiter: UInt8
    let fileName: String
    // Read and written on every record by one reader: no dynamic exclusivity check (~90
    // instructions each) on these.
    @exclusivity(unchecked) private(set) var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    @exclusivity(unchecked) private var head = 0
    @exclusivity(unchecked) private var tail = 0
    @exclusivity(unchecked) private var eof = false
    /// File offset of `buffer[head]`: where the next record starts.
    @exclusivity(unchecked) private(set) var offset: Int64
    /// Physical line number (1-based) of the next record.
    @exclusivity(unchecked) private(set) var line: Int
    /// The fields of the last record, valid until the next call (in storage of their own, grown
    /// as needed: no array to check for uniqueness and capacity per field).
    var fields: UnsafeBufferPointer<Field> { UnsafeBufferPointer(start: fieldStore, count: fieldCount) }
    @exclusivity(unchecked) private var fieldStore: UnsafeMutablePointer<Field>
    @exclusivity(unchecked) private var fieldCount = 0
    private var fieldCapacity = 64
    /// Bytes of the last record, without its line end (for versions).
    @exclusivity(unchecked) private(set) var recordStart = 0
    @exclusivity(unchecked) private(set) var recordEnd = 0
    /// Whether the last record ended with CR (CRLF or a lone CR) rather than LF.
    @exclusivity(unchecked) private(set) var endedWithCR = false
    private var scratch: [UInt8] = []

    /// Takes ownership of `fd`, positioned at `offset` which is the start of line `line`.
    init(fd: Int32, delimiter: UInt8, fileName: String, offset: Int64 = 0, line: Int = 1) {
        self.fd = fd
        self.delimiter = delimiter
        self.fileName = fileName
        self.offset = offset
        self.line = line
        capacity = CSVScanner.bufferSize
        buffer = .allocate(capacity: capacity)
        fieldStore = .allocate(capacity: fieldCapacity)
    }

    deinit {
        buffer.deallocate()
        fieldStore.deallocate()
        close(fd)
    }

    /// The bytes at the start of the file without consuming them (at least `count` if the file
    /// has them). Used for the byte-order mark and the "is this text at all" check.
    func peek(_ count: Int) throws -> UnsafeBufferPointer<UInt8> {
        while tail - head < count && !eof { try refill() }
        return UnsafeBufferPointer(start: buffer + head, count: min(count, tail - head))
    }

    /// Drops `count` bytes at the current position (a byte-order mark).
    func skip(_ count: Int) {
        head += count
        offset += Int64(count)
    }

    private func refill() throws {
        if head > 0 {
            if tail > head { memmove(buffer, buffer + head, tail - head) }
            tail -= head
            head = 0
        }
        if tail == capacity {
            guard capacity < CSVScanner.maxRecordBytes else {
                throw AlmanacError(
                    .csvRecordTooLarge,
                    "\(fileName) line \(line): a record longer than \(CSVScanner.maxRecordBytes >> 20) MB — not a CSV file, or a quote that is never closed"
                )
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: tail)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        while true {
            let n = read(fd, buffer + tail, capacity - tail)
            if n < 0 {
                if errno == EINTR { continue }
                throw AlmanacError(
                    .csvUnreadable, "cannot read \(fileName): \(String(cString: strerror(errno)))",
                    cause: SystemError(errno: errno))
            }
            if n == 0 { eof = true }
            tail += n
            return
        }
    }

    /// The next record, or nil at the end of the file.
    func next() throws -> Record? {
        while true {
            if let result = try scan() { return result.record }
            if eof && head == tail { return nil }
        }
    }

    private struct Scanned { var record: Record? }

    /// Scans one record from `head`. Returns nil when more data is needed (and was read), or when
    /// the file ended; `Scanned(record: nil)` never happens at end of file with data left.
    private func scan() throws -> Scanned? {
        // The fields so far in locals, their count stored on return.
        var store = fieldStore
        var count = 0
        defer { fieldCount = count }
        @inline(__always) func add(_ f: Field) {
            if count == fieldCapacity {
                let grown = UnsafeMutablePointer<Field>.allocate(capacity: fieldCapacity * 2)
                grown.moveInitialize(from: store, count: count)
                store.deallocate()
                store = grown
                fieldStore = grown
                fieldCapacity *= 2
            }
            (store + count).initialize(to: f)
            count += 1
        }
        if head == tail {
            if eof { return nil }
            try refill()
            return nil
        }
        let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        let delim = delimiter
        let delims = UInt64(delim) &* CSVScanner.ones
        let buf = buffer
        var p = head
        var newlines = 0
        let startLine = line
        func needMore() throws -> Scanned? {
            if eof { return nil }
            try refill()
            return nil
        }
        while true {
            // At the start of a field.
            if p < tail && buf[p] == quote {
                var q = p + 1
                var escaped = false
                while true {
                    while true {
                        // Eight bytes at a time up to a word with a quote or a line feed.
                        while q + 8 <= tail {
                            let w = UInt64(littleEndian: UnsafeRawPointer(buf + q).loadUnaligned(as: UInt64.self))
                            let m = CSVScanner.zeroByte(w ^ CSVScanner.quotes) | CSVScanner.zeroByte(w ^ CSVScanner.lfs)
                            if m != 0 { break }
                            q += 8
                        }
                        guard q < tail && buf[q] != quote else { break }
                        if buf[q] == lf { newlines += 1 }
                        q += 1
                    }
                    if q >= tail {
                        if eof {
                            throw AlmanacError(
                                .csvTruncated,
                                "\(fileName) line \(startLine): a quoted field never closes before the end of the file — the file is truncated or not CSV"
                            )
                        }
                        return try needMore()
                    }
                    if q + 1 >= tail && !eof { return try needMore() }
                    if q + 1 < tail && buf[q + 1] == quote {
                        escaped = true
                        q += 2
                        continue
                    }
                    break
                }
                add(Field(start: p + 1, end: q, escaped: escaped))
                p = q + 1
                if p < tail && buf[p] != delim && buf[p] != lf && buf[p] != cr {
                    return try malformed(
                        from: p, startLine: startLine, newlines: newlines,
                        reason: "text after the closing quote of field \(count)")
                }
            } else {
                let s = p
                var found = false
                // Eight bytes at a time to the first delimiter or line end.
                while p + 8 <= tail {
                    let w = UInt64(littleEndian: UnsafeRawPointer(buf + p).loadUnaligned(as: UInt64.self))
                    let m =
                        CSVScanner.zeroByte(w ^ delims) | CSVScanner.zeroByte(w ^ CSVScanner.lfs)
                        | CSVScanner.zeroByte(w ^ CSVScanner.crs)
                    if m != 0 {
                        p += m.trailingZeroBitCount >> 3
                        found = true
                        break
                    }
                    p += 8
                }
                while !found && p < tail {
                    let b = buf[p]
                    if b == delim || b == lf || b == cr { break }
                    p += 1
                }
                if p >= tail && !eof { return try needMore() }
                add(Field(start: s, end: p, escaped: false))
            }
            // After a field: a delimiter, a line end, or the end of the file.
            if p >= tail {
                if !eof { return try needMore() }
                return finish(end: p, next: p, newlines: newlines, startLine: startLine)
            }
            let b = buf[p]
            if b == delim { p += 1; continue }
            if b == lf { return finish(end: p, next: p + 1, newlines: newlines + 1, startLine: startLine) }
            // CR: CRLF, or a lone CR line end.
            if p + 1 >= tail && !eof { return try needMore() }
            let next = (p + 1 < tail && buf[p + 1] == lf) ? p + 2 : p + 1
            return finish(end: p, next: next, newlines: newlines + 1, startLine: startLine)
        }
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let quotes = 0x22 &* ones, lfs = 0x0A &* ones, crs = 0x0D &* ones

    /// Nonzero when `v` has a zero byte: the high bit of the lowest one is set and no bit below it
    /// (bits above may be set wrongly). With `v = word ^ (byte × ones)`, the lowest set bit marks
    /// the first `byte` in `word` (loaded little-endian: the first byte is the lowest).
    @inline(__always)
    private static func zeroByte(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & 0x8080_8080_8080_8080 }

    private func finish(end: Int, next: Int, newlines: Int, startLine: Int) -> Scanned {
        recordStart = head
        recordEnd = end
        endedWithCR = next > end && buffer[end] == 0x0D
        offset += Int64(next - head)
        head = next
        line += newlines
        return Scanned(record: .fields(line: startLine))
    }

    /// Skips the rest of a broken record up to the next line end.
    private func malformed(from p: Int, startLine: Int, newlines: Int, reason: String) throws -> Scanned? {
        var q = p
        while q < tail && buffer[q] != 0x0A { q += 1 }
        if q >= tail && !eof { return try needMoreForSkip() }
        let next = q < tail ? q + 1 : q
        recordStart = head
        recordEnd = q > head && buffer[q - 1] == 0x0D ? q - 1 : q
        offset += Int64(next - head)
        head = next
        line += newlines + (q < tail ? 1 : 0)
        return Scanned(record: .malformed(line: startLine, reason: reason))
    }

    private func needMoreForSkip() throws -> Scanned? {
        try refill()
        return nil
    }

    /// The raw bytes of field `f` (quotes removed, doubled quotes undone).
    func withBytes<R>(_ f: Field, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if !f.escaped {
            return body(UnsafeBufferPointer(start: buffer + f.start, count: f.end - f.start))
        }
        scratch.removeAll(keepingCapacity: true)
        var i = f.start
        while i < f.end {
            let b = buffer[i]
            scratch.append(b)
            i += (b == 0x22 && i + 1 < f.end && buffer[i + 1] == 0x22) ? 2 : 1
        }
        return scratch.withUnsafeBufferPointer(body)
    }

    /// The bytes of the last record as they are in the file, without the line end.
    var recordBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer + recordStart, count: recordEnd - recordStart)
    }
}
