import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Byte-level scanning for HTTP and multipart parsing, in the client and in the fakes
/// (Foundation's `Data.range(of:)` and string splitting were most of the cost of a batch on Linux).
public enum ByteSearch {
    public static let crlf: [UInt8] = [13, 10]
    public static let blankLine: [UInt8] = [13, 10, 13, 10]
    public static let lf: [UInt8] = [10]
    public static let lfBlankLine: [UInt8] = [10, 10]

    /// The end of the header block in `bytes[from..<to]`: the index of its blank line and the
    /// blank line's length (4 for CRLF CRLF, 2 for LF LF, whichever comes first).
    public static func blankLine(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (at: Int, length: Int)? {
        let crlf = find(blankLine, in: bytes, from: from, to: to)
        let lf = find(lfBlankLine, in: bytes, from: from, to: crlf.map { $0 + 2 } ?? to)
        if let lf, lf < (crlf ?? .max) { return (lf, 2) }
        return crlf.map { ($0, 4) }
    }

    /// The first index at or after `from` (and before `to`) where `needle` starts in `bytes`.
    public static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first, to - from >= needle.count else { return nil }
        // memchr for the first byte, memcmp for the rest (glibc's memmem is not exported to Swift).
        return needle.withUnsafeBytes { n -> Int? in
            var i = from
            let last = to - needle.count
            while i <= last {
                guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
                let at = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }

    /// Whether `bytes[at...]` starts with `prefix`.
    public static func starts(_ bytes: UnsafeBufferPointer<UInt8>, at: Int, to: Int, with prefix: [UInt8]) -> Bool {
        guard to - at >= prefix.count else { return false }
        for (k, b) in prefix.enumerated() where bytes[at + k] != b { return false }
        return true
    }

    /// `Name: value` lines of `bytes[from..<to]` (CRLF- or LF-separated) with lower-cased names.
    public static func headers(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> [String: String] {
        var out: [String: String] = [:]
        var line = from
        while line < to {
            let end = find(lf, in: bytes, from: line, to: to) ?? to
            var colon = line
            while colon < end && bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon < end {
                var v = colon + 1
                while v < end && (bytes[v] == 32 || bytes[v] == 9) { v += 1 }
                var e = end
                while e > v && (bytes[e - 1] == 32 || bytes[e - 1] == 9 || bytes[e - 1] == 13) { e -= 1 }
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[line..<colon]), as: UTF8.self)
                out[name.lowercased()] = String(decoding: UnsafeBufferPointer(rebasing: bytes[v..<e]), as: UTF8.self)
            }
            line = end + 1
        }
        return out
    }
}
