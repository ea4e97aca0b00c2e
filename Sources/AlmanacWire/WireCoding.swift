import Foundation

extension Wire {
    /// The encoder of every wire body: ISO 8601 dates, sorted keys, no escaped slashes.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// `value` as one NDJSON line (with the trailing newline).
    /// - Throws: `EncodingError` for values JSON cannot carry (non-finite numbers).
    public static func line(_ value: some Encodable) throws -> [UInt8] {
        var bytes = [UInt8](try encoder().encode(value))
        bytes.append(0x0A)
        return bytes
    }
}
