import AlmanacCore

/// HMAC-SHA-256 (RFC 2104) over the project's `SHA256`: the webhook's `X-Almanac-Signature`.
public enum HMACSHA256 {
    public static func digest(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key
        if k.count > 64 {
            var h = SHA256()
            h.update(k)
            k = h.finalize()
        }
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var inner = SHA256()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// Lower-case hex of the digest.
    public static func hex(key: String, message: [UInt8]) -> String {
        SHA256.hexString(digest(key: Array(key.utf8), message: message))
    }
}
