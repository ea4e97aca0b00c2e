/// A stable 128-bit hash of bytes for content comparison (not for security): two 64-bit lanes
/// mixing 8 bytes at a time with different multipliers, finished with the MurmurHash3 64-bit
/// finaliser. The same bytes give the same hash on every run and platform, so hashes can be
/// stored. Chosen over SHA-256 for speed: planning hashes every item of both sides on every run.
public enum ContentHash {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    /// 32 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var b: UInt64 = 0x1319_8A2E_0370_7344 &+ UInt64(bytes.count) &* p3
        bytes.withUnsafeBytes { raw in
            var i = 0
            let n = raw.count
            while i + 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                a = rotl(a ^ (w &* p1), 31) &* p2
                b = rotl(b &+ (w &* p2), 29) &* p1 ^ a
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(raw[i]) << shift
                shift += 8
                i += 1
            }
            a = rotl(a ^ (tail &* p1), 31) &* p2
            b = rotl(b &+ (tail &* p3), 29) &* p1 ^ a
        }
        let h1 = fmix(a &+ b)
        let h2 = fmix(b &+ h1)
        return String(unsafeUninitializedCapacity: 32) { out in
            for i in 0..<16 {
                out[i] = digits[Int((h1 >> UInt64(60 - i * 4)) & 0xf)]
                out[16 + i] = digits[Int((h2 >> UInt64(60 - i * 4)) & 0xf)]
            }
            return 32
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always)
    private static func fmix(_ k: UInt64) -> UInt64 {
        var k = k
        k ^= k >> 33
        k = k &* 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k = k &* 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }

    private static let digits = Array("0123456789abcdef".utf8)
}
