/// A content hash as the state holds it in memory: the 32 lowercase hex digits that
/// `ContentProjection.hash` makes as two words (16 bytes, no allocation), any other text as it is.
/// `text` gives back exactly the text it was made from.
enum PackedHash: Hashable, Sendable {
    case words(UInt64, UInt64)
    case text(String)

    init(_ text: String) {
        if let (h1, h2) = Self.words(text) {
            self = .words(h1, h2)
        } else {
            self = .text(text)
        }
    }

    var text: String {
        switch self {
        case .text(let t): return t
        case .words(let h1, let h2):
            return String(unsafeUninitializedCapacity: 32) { out in
                for i in 0..<16 {
                    out[i] = Self.digits[Int((h1 >> UInt64(60 - i * 4)) & 0xf)]
                    out[16 + i] = Self.digits[Int((h2 >> UInt64(60 - i * 4)) & 0xf)]
                }
                return 32
            }
        }
    }

    /// Whether this is the hash `text` (without making a string).
    func matches(_ text: String) -> Bool {
        switch self {
        case .text(let t): return t == text
        case .words(let h1, let h2):
            guard let (a, b) = Self.words(text) else { return false }
            return a == h1 && b == h2
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The two words of 32 lowercase hex digits; nil for any other text.
    private static func words(_ text: String) -> (UInt64, UInt64)? {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count == 32, let base = bytes.baseAddress else { return nil }
            guard let h1 = word(base), let h2 = word(base + 16) else { return nil }
            return (h1, h2)
        }
    }

    /// The 16 lowercase hex digits at `digits` as a word; nil when one is not such a digit.
    @inline(__always)
    private static func word(_ digits: UnsafePointer<UInt8>) -> UInt64? {
        var h: UInt64 = 0
        for i in 0..<16 {
            let c = digits[i]
            let digit = c &- 0x30  // "0"..."9" as 0...9
            let letter = c &- 0x61  // "a"..."f" as 0...5
            let d: UInt8
            if digit < 10 {
                d = digit
            } else if letter < 6 {
                d = letter &+ 10
            } else {
                return nil
            }
            h = h << 4 | UInt64(d)
        }
        return h
    }
}
