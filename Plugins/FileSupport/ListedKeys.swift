#if canImport(Glibc)
    import Glibc
#endif

/// The keys one listing has listed, each with where it was (`FileListing` reports a later
/// duplicate): exact, and compact for large files — the key bytes in one arena, a table of entry
/// numbers with open addressing (linear probing), each entry's hash kept so growing the table
/// never hashes a key again. About 40 bytes per key.
struct ListedKeys {
    /// Entry number + 1 per slot, 0 for an empty slot; the count is a power of two.
    private var table: [Int32] = []
    private var hashes: [UInt64] = []
    private var places: [Int] = []
    /// End of each entry's bytes in `arena` (its start is the end of the entry before).
    private var ends: [Int] = []
    private var arena: [UInt8] = []
    /// Per listing, so no file can be built to make every key collide.
    private let seed = UInt64.random(in: 1...UInt64.max)

    var count: Int { places.count }

    /// Records `key` at `place`, or returns the place of the earlier equal key (which stays).
    mutating func insert(_ key: String, at place: Int) -> Int? {
        var k = key
        return k.withUTF8 { insert(UnsafeRawBufferPointer($0), at: place) }
    }

    private mutating func insert(_ key: UnsafeRawBufferPointer, at place: Int) -> Int? {
        var h = seed ^ 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        if (count + 1) * 2 > table.count { grow() }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while table[slot] != 0 {
            let e = Int(table[slot]) - 1
            if hashes[e] == h && equal(e, key) { return places[e] }
            slot = (slot + 1) & mask
        }
        table[slot] = Int32(count + 1)
        hashes.append(h)
        places.append(place)
        arena.append(contentsOf: key)
        ends.append(arena.count)
        return nil
    }

    private func equal(_ e: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let start = e == 0 ? 0 : ends[e - 1]
        guard ends[e] - start == key.count else { return false }
        guard let base = key.baseAddress, key.count > 0 else { return true }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + start, base, key.count) == 0 }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: max(1024, table.count * 2))
        let mask = bigger.count - 1
        for e in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[e]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(e + 1)
        }
        table = bigger
    }
}
