import AlmanacCore
import AlmanacTestKit
import Testing

/// `ContentHash.hex`, whose digits are now made eight at a time, against the hash as it was
/// written before (mixing and finishing as in `ContentHash`, then a table lookup per digit) on
/// seeded random inputs: the stored hashes and versions must not change.
@Suite(.timeLimit(.minutes(10))) struct ContentHashHexTests {
    /// The hash of `bytes` fed at once, as `ContentHash.hex(_:)` computed it before.
    static func reference(_ bytes: [UInt8], seedLength: Bool) -> String {
        let p1: UInt64 = 0x9E37_79B1_85EB_CA87
        let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        let p3: UInt64 = 0x1656_67B1_9E37_79F9
        func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
        func fmix(_ k: UInt64) -> UInt64 {
            var k = k
            k ^= k >> 33
            k = k &* 0xFF51_AFD7_ED55_8CCD
            k ^= k >> 33
            k = k &* 0xC4CE_B9FE_1A85_EC53
            k ^= k >> 33
            return k
        }
        let length = UInt64(seedLength ? bytes.count : 0)
        var a: UInt64 = 0x243F_6A88_85A3_08D3 ^ length
        var b: UInt64 = 0x1319_8A2E_0370_7344 &+ length &* p3
        var i = 0
        var tail: UInt64 = 0
        while i < bytes.count {
            var w: UInt64 = 0
            let n = min(8, bytes.count - i)
            for k in 0..<n { w |= UInt64(bytes[i + k]) << UInt64(k * 8) }
            i += n
            if n < 8 {
                tail = w
                break
            }
            a = rotl(a ^ (w &* p1), 31) &* p2
            b = rotl(b &+ (w &* p2), 29) &* p1 ^ a
        }
        a = rotl(a ^ (tail &* p1), 31) &* p2
        b = rotl(b &+ (tail &* p3), 29) &* p1 ^ a
        let h1 = fmix(a &+ b)
        let h2 = fmix(b &+ h1)
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for i in 0..<16 { out.append(digits[Int((h1 >> UInt64(60 - i * 4)) & 0xf)]) }
        for i in 0..<16 { out.append(digits[Int((h2 >> UInt64(60 - i * 4)) & 0xf)]) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func hexIsTheHashAsBefore() {
        var random = SeededRandom(state: 14)
        for _ in 0..<20_000 {
            let bytes = (0..<random.below(70)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let expected = Self.reference(bytes, seedLength: true)
            #expect(ContentHash.hex(bytes) == expected)
            var h = ContentHash()
            bytes.withUnsafeBytes { h.add($0) }
            #expect(h.hex == Self.reference(bytes, seedLength: false))
            if ContentHash.hex(bytes) != expected { break }
        }
        #expect(Self.reference(Array("abc".utf8), seedLength: true) == "1b3ed50085fc503bb805844b4fb9e7b6")
    }
}
