import Foundation

/// A strict JSON (RFC 8259) reader for request bodies, giving Swift values: `String`, `Int`
/// (integers that fit), `Double` (other numbers), `Bool`, `NSNull`, `[Any]`, `[String: Any]`.
/// Foundation's JSONSerialization on Linux builds NSDictionary and NSNumber values, and parsing
/// with it (and keeping its values in the event store) was the largest part of the fakes' CPU
/// time in a 100,000-event sync; `JSONWriter` writes these values back.
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The value `data` holds, nil when it is not exactly one JSON value (whitespace around it).
    static func value(_ data: Data) -> Any? {
        data.withUnsafeBytes { raw -> Any? in
            var r = JSONReader(raw.bindMemory(to: UInt8.self))
            guard let v = r.value() else { return nil }
            r.skipSpace()
            return r.at == r.bytes.count ? v : nil
        }
    }

    /// The object `data` holds, nil when it is not a JSON object.
    static func object(_ data: Data) -> [String: Any]? { value(data) as? [String: Any] }

    private var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    private mutating func value() -> Any? {
        skipSpace()
        guard let c = peek else { return nil }
        switch c {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true", true)
        case UInt8(ascii: "f"): return literal("false", false)
        case UInt8(ascii: "n"): return literal("null", NSNull())
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString, _ v: Any) -> Any? {
        let n = word.utf8CodeUnitCount
        guard at + n <= bytes.count else { return nil }
        for i in 0..<n where bytes[at + i] != word.utf8Start[i] { return nil }
        at += n
        return v
    }

    private mutating func object() -> [String: Any]? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { return nil }
        at += 1
        var out: [String: Any] = [:]
        skipSpace()
        if peek == UInt8(ascii: "}") {
            at += 1
            return out
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return nil }
            at += 1
            guard let v = value() else { return nil }
            out[key] = v
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"):
                at += 1
                return out
            default: return nil
            }
        }
    }

    private mutating func array() -> [Any]? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { return nil }
        at += 1
        var out: [Any] = []
        skipSpace()
        if peek == UInt8(ascii: "]") {
            at += 1
            return out
        }
        while true {
            guard let v = value() else { return nil }
            out.append(v)
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"):
                at += 1
                return out
            default: return nil
            }
        }
    }

    /// A string at `"`: escapes decoded, control characters and bad UTF-8 refused.
    private mutating func string() -> String? {
        at += 1
        let start = at
        // Fast path: no escapes.
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 {
            at += 1
        }
        guard at < bytes.count else { return nil }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<at]))
        while at < bytes.count {
            let c = bytes[at]
            switch c {
            case UInt8(ascii: "\""):
                at += 1
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                at += 1
                guard let e = peek else { return nil }
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard peek == UInt8(ascii: "\\"), at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "u")
                        else { return nil }
                        at += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(c)
                at += 1
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[at]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 65...70: d = c - 55
            case 97...102: d = c - 87
            default: return nil
            }
            v = v << 4 | UInt32(d)
            at += 1
        }
        return v
    }

    /// A number by the JSON grammar: an `Int` when it has no fraction or exponent and fits.
    private mutating func number() -> Any? {
        let start = at
        if peek == UInt8(ascii: "-") { at += 1 }
        guard let first = peek, (48...57).contains(first) else { return nil }
        at += 1
        if first != 48 { while let c = peek, (48...57).contains(c) { at += 1 } }
        var integral = true
        if peek == UInt8(ascii: ".") {
            integral = false
            at += 1
            guard let c = peek, (48...57).contains(c) else { return nil }
            while let c = peek, (48...57).contains(c) { at += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            integral = false
            at += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            guard let c = peek, (48...57).contains(c) else { return nil }
            while let c = peek, (48...57).contains(c) { at += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        if integral, let i = Int(text) { return i }
        return Double(text)
    }
}
