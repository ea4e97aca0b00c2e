/// The one content hash of almanac: a stable 128-bit hash of bytes for content comparison (not
/// for security). Two 64-bit lanes mix 8 bytes at a time with different multipliers, finished
/// with the MurmurHash3 64-bit finaliser. The same bytes give the same hash on every run and
/// platform, so hashes can be stored. Chosen over SHA-256 for speed: planning hashes every item
/// of both sides on every run, and source connectors hash every row they list.
///
/// Users:
/// - the engine (`ContentProjection.hash`): the projection of an event on the fields the job
///   compares, `hash(bytes)` — what the state store keeps as `hash_from`/`hash_to`;
/// - source connectors, for an item's `version` when the source has none of its own: the csv and
///   xml connectors hash a record's bytes as they read them, the odbc connector a row's mapped
///   content (`add` value by value, then `hex`).
///
/// Fed in pieces (`add`), it hashes exactly as fed at once: the bytes are mixed in words of 8
/// whatever the pieces.
public struct ContentHash: Sendable {
    @usableFromInline static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    @usableFromInline var a: UInt64
    @usableFromInline var b: UInt64
    /// Bytes fed but not mixed yet (fewer than 8), little-endian, and how many.
    @usableFromInline var pending: UInt64 = 0
    @usableFromInline var pendingCount: Int = 0

    /// A hash of bytes fed with `add`.
    @inlinable
    public init() { self.init(length: 0) }

    /// The hash of `length` bytes to come (`hash(_:)` seeds with the length it knows).
    @inlinable
    init(length: Int) {
        a = 0x243F_6A88_85A3_08D3 ^ UInt64(length)
        b = 0x1319_8A2E_0370_7344 &+ UInt64(length) &* Self.p3
    }

    /// The hash of `bytes`, 32 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        var h = ContentHash(length: bytes.count)
        bytes.withUnsafeBytes { h.add($0) }
        return h.hex
    }

    @inlinable
    mutating func mix(_ w: UInt64) {
        a = Self.rotl(a ^ (w &* Self.p1), 31) &* Self.p2
        b = Self.rotl(b &+ (w &* Self.p2), 29) &* Self.p1 ^ a
    }

    /// Adds `raw`.
    @inlinable
    public mutating func add(_ raw: UnsafeRawBufferPointer) {
        let n = raw.count
        guard n > 0, let base = raw.baseAddress else { return }
        var i = 0
        if pendingCount > 0 {
            // Fills the pending word with one `word` of up to 7 bytes, not byte by byte: the xml and
            // odbc versions add many short pieces (a field's number, a value, a separator).
            i = min(8 - pendingCount, n)
            pending |= Self.word(base, count: i) << UInt64(pendingCount * 8)
            pendingCount += i
            guard pendingCount == 8 else { return }
            mix(pending)
            pending = 0
            pendingCount = 0
        }
        while i + 8 <= n {
            mix(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < n {
            pending = Self.word(base + i, count: n - i)
            pendingCount = n - i
        }
    }

    /// The `count` (1 to 8) bytes at `start` as a little-endian word, the bytes after them zero:
    /// two loads that may overlap (an overlapping byte lands where it already is), no call.
    @inlinable @inline(__always)
    static func word(_ start: UnsafeRawPointer, count: Int) -> UInt64 {
        func load<T: FixedWidthInteger & UnsignedInteger>(_ at: Int, _: T.Type) -> UInt64 {
            UInt64(T(littleEndian: start.loadUnaligned(fromByteOffset: at, as: T.self)))
        }
        switch count {
        case 8: return load(0, UInt64.self)
        case 4...: return load(0, UInt32.self) | load(count - 4, UInt32.self) << UInt64((count - 4) * 8)
        case 2...: return load(0, UInt16.self) | load(count - 1, UInt8.self) << UInt64((count - 1) * 8)
        default: return load(0, UInt8.self)
        }
    }

    /// Adds the UTF-8 of `string` and a separator (read in place: no copy of the string).
    @inlinable
    public mutating func add(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { add(UnsafeRawBufferPointer($0)) }
        if done == nil {
            var s = string
            s.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        }
        separator()
    }

    /// Separates two values, so ("ab","c") and ("a","bc") differ.
    @inlinable
    public mutating func separator() {
        pending |= 0x1F << UInt64(pendingCount * 8)
        pendingCount += 1
        guard pendingCount == 8 else { return }
        mix(pending)
        pending = 0
        pendingCount = 0
    }

    /// The hash of what was added as two words: the first is the first 16 hex digits of `hex`,
    /// the second the last 16.
    public var words: (UInt64, UInt64) {
        let tail = pending
        let a = Self.rotl(self.a ^ (tail &* Self.p1), 31) &* Self.p2
        let b = Self.rotl(self.b &+ (tail &* Self.p3), 29) &* Self.p1 ^ a
        let h1 = Self.fmix(a &+ b)
        return (h1, Self.fmix(b &+ h1))
    }

    /// Adds the 8 bytes of `value`, little-endian (a length, a count, a stored word).
    @inlinable
    public mutating func add(word value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { add($0) }
    }

    /// The hash of what was added: 32 lowercase hex digits.
    public var hex: String {
        let (h1, h2) = words
        return String(unsafeUninitializedCapacity: 32) { out in
            let raw = UnsafeMutableRawBufferPointer(out)
            func put(_ half: UInt64, at offset: Int) {
                let digits = Self.hexDigits(UInt32(truncatingIfNeeded: half))
                raw.storeBytes(of: digits.bigEndian, toByteOffset: offset, as: UInt64.self)
            }
            put(h1 >> 32, at: 0)
            put(h1, at: 8)
            put(h2 >> 32, at: 16)
            put(h2, at: 24)
            return 32
        }
    }

    /// The 8 lowercase hex digits of `x` as the bytes of a word, the most significant digit in its
    /// most significant byte (stored big-endian, they read in order), computed on all eight at once
    /// rather than looked up digit by digit.
    @inline(__always)
    private static func hexDigits(_ x: UInt32) -> UInt64 {
        // Nibble i of x to byte i.
        var v = UInt64(x)
        v = (v | v << 16) & 0x0000_FFFF_0000_FFFF
        v = (v | v << 8) & 0x00FF_00FF_00FF_00FF
        v = (v | v << 4) & 0x0F0F_0F0F_0F0F_0F0F
        // "0"–"9" for 0–9; 10–15 (those reaching 16 with 6 added) 39 further, to "a"–"f".
        let letters = ((v &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return v &+ 0x3030_3030_3030_3030 &+ letters &* 39
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

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
}
