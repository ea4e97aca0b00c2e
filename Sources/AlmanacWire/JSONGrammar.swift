/// Checks that bytes are exactly one JSON text by RFC 8259, before any decoder reads them:
/// no trailing commas, comments, single quotes, bare words, leading zeros or NaN, which lenient
/// decoders accept, and no object that names a key twice (which decoders resolve silently).
struct JSONGrammar {
    private let b: [UInt8]
    private var i = 0

    /// nil when `bytes` are one JSON text, else why not (with the byte offset).
    static func problem(_ bytes: [UInt8]) -> String? {
        var g = JSONGrammar(b: bytes)
        do {
            g.space()
            try g.value(depth: 0)
            g.space()
            guard g.i == bytes.count else { throw Stop("unexpected data after the JSON value", g.i) }
            return nil
        } catch let e as Stop {
            return "\(e.message) at byte \(e.at)"
        } catch {
            return "not valid JSON"
        }
    }

    private struct Stop: Error {
        let message: String
        let at: Int
        init(_ message: String, _ at: Int) {
            self.message = message
            self.at = at
        }
    }

    private init(b: [UInt8]) { self.b = b }

    private var peek: UInt8? { i < b.count ? b[i] : nil }

    private mutating func space() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        guard peek == c else { throw Stop("expected \"\(Character(UnicodeScalar(c)))\"", i) }
        i += 1
    }

    private mutating func value(depth: Int) throws {
        guard depth < 64 else { throw Stop("nested more than 64 deep", i) }
        switch peek {
        case UInt8(ascii: "{"):
            i += 1
            space()
            var keys: Set<[UInt8]> = []
            if peek == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                space()
                let start = i
                try string()
                guard keys.insert(Array(b[start..<i])).inserted else { throw Stop("a key given twice", start) }
                space()
                try expect(UInt8(ascii: ":"))
                space()
                try value(depth: depth + 1)
                space()
                if peek == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return
            }
        case UInt8(ascii: "["):
            i += 1
            space()
            if peek == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                space()
                try value(depth: depth + 1)
                space()
                if peek == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try word("true")
        case UInt8(ascii: "f"): try word("false")
        case UInt8(ascii: "n"): try word("null")
        case .some(let c) where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39): try number()
        default: throw Stop("expected a JSON value", i)
        }
    }

    private mutating func word(_ w: String) throws {
        let bytes = Array(w.utf8)
        guard i + bytes.count <= b.count, Array(b[i..<i + bytes.count]) == bytes else {
            throw Stop("expected a JSON value", i)
        }
        i += bytes.count
    }

    private mutating func digits() throws {
        guard let c = peek, c >= 0x30 && c <= 0x39 else { throw Stop("expected a digit", i) }
        while let c = peek, c >= 0x30 && c <= 0x39 { i += 1 }
    }

    private mutating func number() throws {
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") {
            i += 1
            if let c = peek, c >= 0x30 && c <= 0x39 { throw Stop("a number with a leading zero", i) }
        } else {
            try digits()
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            try digits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            try digits()
        }
    }

    private mutating func string() throws {
        try expect(UInt8(ascii: "\""))
        while let c = peek {
            i += 1
            switch c {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard let e = peek else { break }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let h = peek, (h >= 0x30 && h <= 0x39) || (h | 0x20 >= 0x61 && h | 0x20 <= 0x66) else {
                            throw Stop("a bad \\u escape", i)
                        }
                        i += 1
                    }
                default: throw Stop("a bad escape", i - 1)
                }
            case 0..<0x20: throw Stop("a control character inside a string", i - 1)
            default: continue
            }
        }
        throw Stop("an unterminated string", i)
    }
}
