/// Fast, validating conversions of driver buffers to `String`; nil when the buffer is not valid
/// UTF-16 / UTF-8. (The generic `String(validating:as:)` costs several times more per cell.)
enum TextDecoding {
    /// UTF-16 code units → String, transcoded to UTF-8; nil on an unpaired surrogate.
    static func utf16(_ units: UnsafeBufferPointer<UInt16>) -> String? {
        let n = units.count
        if n == 0 { return "" }
        // Most values are ASCII: found by OR-ing every unit (a loop the compiler vectorizes), then
        // narrowed in a second such loop.
        var bits: UInt16 = 0
        for u in units { bits |= u }
        if bits < 0x80 {
            return String(unsafeUninitializedCapacity: n) { out in
                for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: units[i]) }
                return n
            }
        }
        // First pass: validate and size exactly, so short values stay small (inline) strings.
        var length = 0
        var i = 0
        while i < n {
            let u = units[i]
            if u < 0x80 {
                length += 1
            } else if u < 0x800 {
                length += 2
            } else if u >= 0xD800 && u <= 0xDBFF {
                guard i + 1 < n, units[i + 1] >= 0xDC00, units[i + 1] <= 0xDFFF else { return nil }
                length += 4
                i += 1
            } else if u >= 0xDC00 && u <= 0xDFFF {
                return nil
            } else {
                length += 3
            }
            i += 1
        }
        return String(unsafeUninitializedCapacity: length) { out in
            var o = 0
            var i = 0
            while i < n {
                let u = units[i]
                if u < 0x80 {
                    out[o] = UInt8(truncatingIfNeeded: u)
                    o += 1
                } else if u < 0x800 {
                    out[o] = UInt8(0xC0 | (u >> 6))
                    out[o + 1] = UInt8(0x80 | (u & 0x3F))
                    o += 2
                } else if u >= 0xD800 && u <= 0xDBFF {
                    let scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(units[i + 1]) - 0xDC00)
                    out[o] = UInt8(0xF0 | (scalar >> 18))
                    out[o + 1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
                    out[o + 2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
                    out[o + 3] = UInt8(0x80 | (scalar & 0x3F))
                    o += 4
                    i += 1
                } else {
                    out[o] = UInt8(0xE0 | (u >> 12))
                    out[o + 1] = UInt8(0x80 | ((u >> 6) & 0x3F))
                    out[o + 2] = UInt8(0x80 | (u & 0x3F))
                    o += 3
                }
                i += 1
            }
            return o
        }
    }

    /// UTF-8 bytes → String; nil when they are not valid UTF-8 (overlong forms, surrogates,
    /// truncated sequences and bytes above U+10FFFF are invalid).
    static func utf8(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard isUTF8(bytes) else { return nil }
        return String(unsafeUninitializedCapacity: bytes.count) { out in
            _ = out.initialize(from: bytes)
            return bytes.count
        }
    }

    /// The `count` (1 to 7) bytes at `start` OR-ed into a word (two loads that may overlap).
    @inline(__always)
    private static func tail(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(start)
        func load<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> UInt64 {
            UInt64(raw.loadUnaligned(fromByteOffset: at, as: T.self))
        }
        switch count {
        case 4...: return load(0, UInt32.self) | load(count - 4, UInt32.self)
        case 2...: return load(0, UInt16.self) | load(count - 2, UInt16.self)
        default: return UInt64(start.pointee)
        }
    }

    /// Whether `bytes` are valid UTF-8, by the rules of `utf8`.
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        // Most values are ASCII (and short): found by OR-ing them 8 bytes at a time, the tail in
        // one word of its own (`asciiWord`), no byte-by-byte loop.
        guard let base = bytes.baseAddress else { return true }
        var bits: UInt64 = 0
        var at = 0
        while at + 8 <= n {
            bits |= UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)
            at += 8
        }
        if at < n { bits |= tail(base + at, count: n - at) }
        var i = bits & 0x8080_8080_8080_8080 == 0 ? n : 0
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            guard bytes[i + 1] >= lower && bytes[i + 1] <= upper else { return false }
            var k = 2
            while k <= need {
                guard bytes[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }
}
