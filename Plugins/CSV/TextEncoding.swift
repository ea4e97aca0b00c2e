/// The text encodings a CSV file may use (`encoding = …`).
enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case latin1 = "latin-1"
    case windows1252 = "windows-1252"

    /// Windows-1252 code points for bytes 0x80…0x9F (the five undefined bytes map to the C1
    /// control of the same value, as Windows' own conversion does).
    private static let cp1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D,
        0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// The text of `bytes`; nil when they are not valid in this encoding (UTF-8 only).
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for b in bytes where b >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        switch self {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .latin1, .windows1252:
            var scalars = String.UnicodeScalarView()
            for b in bytes {
                let v =
                    (self == .windows1252 && (0x80...0x9F).contains(b))
                    ? TextEncoding.cp1252High[Int(b) - 0x80] : UInt32(b)
                scalars.append(Unicode.Scalar(v)!)
            }
            return String(scalars)
        }
    }

    /// `text` in this encoding; characters it cannot represent become `?`.
    func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8: return Array(text.utf8)
        case .latin1, .windows1252:
            var out: [UInt8] = []
            out.reserveCapacity(text.unicodeScalars.count)
            for s in text.unicodeScalars {
                if s.value < 0x80 || (s.value <= 0xFF && (self == .latin1 || s.value >= 0xA0)) {
                    out.append(UInt8(s.value))
                } else if self == .windows1252, let i = TextEncoding.cp1252High.firstIndex(of: s.value) {
                    out.append(UInt8(0x80 + i))
                } else {
                    out.append(0x3F)
                }
            }
            return out
        }
    }
}
