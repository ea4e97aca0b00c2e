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
            guard bytes.count == 32 else { return nil }
            var h1: UInt64 = 0
            var h2: UInt64 = 0
            for i in 0..<32 {
                let c = bytes[i]
                let d: UInt64
                switch c {
                case 0x30...0x39: d = UInt64(c &- 0x30)
                case 0x61...0x66: d = UInt64(c &- 0x61 &+ 10)
                default: return nil
                }
                if i < 16 { h1 = h1 << 4 | d } else { h2 = h2 << 4 | d }
            }
            return (h1, h2)
        }
    }
}
