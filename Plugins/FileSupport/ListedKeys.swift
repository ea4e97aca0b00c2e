#if canImport(Glibc)
    import Glibc
#endif

/// The keys one listing has listed, each with where it was (`FileListing` reports a later
/// duplicate): exact, and compact for large files — the key bytes in one arena, and a table with
/// open addressing (linear probing) whose slots hold each entry's number and 32 bits of its
/// key's hash. A new key (nearly every key of a listing) is placed after comparing the hash bits
/// of the slots it probes, which lie next to each other: about one cache miss a key, not one per
/// slot probed (at 1.26 M keys the table is 16 MB, most of each probe a miss), so the table may
/// be up to three quarters full. Growing takes each slot's place from its hash bits, never
/// hashing a key again. About 40 bytes per key.
struct ListedKeys {
    /// Per slot: 0 when empty, else the low 32 bits of the key's hash above entry number + 1. The
    /// count is a power of two (at most 2^32: a slot's place is in its hash bits).
    private var table: [UInt64] = []
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
        let bits = h & 0xFFFF_FFFF
        if (count + 1) * 4 > table.count * 3 { grow() }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: bits) & mask
        while table[slot] != 0 {
            let v = table[slot]
            if v >> 32 == bits {
                let e = Int(truncatingIfNeeded: v & 0xFFFF_FFFF) - 1
                if equal(e, key) { return places[e] }
            }
            slot = (slot + 1) & mask
        }
        table[slot] = bits << 32 | UInt64(count + 1)
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
        var bigger = [UInt64](repeating: 0, count: max(1024, table.count * 2))
        let mask = bigger.count - 1
        for v in table where v != 0 {
            var slot = Int(truncatingIfNeeded: v >> 32) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = v
        }
        table = bigger
    }
}
