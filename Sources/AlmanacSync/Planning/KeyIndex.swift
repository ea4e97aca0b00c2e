/// Where each key of an `ItemTable` is held: an open-addressing hash table (linear probing) of
/// positions only, 4 bytes a bucket, that compares keys by reading them where the table holds
/// them (`keyAt`). A `[String: Int]` holds every key a second time (16 bytes) beside its position
/// (8) in buckets kept at most 3/4 full, ~6 MB at 100,000 keys; this is 1 MB.
///
/// A position is an `ItemTable` position: `i` for its `i`th whole item, `~i` for its `i`th
/// unchanged one. Every position stored must be readable through `keyAt` whenever the index is
/// called (the table updates the index before it moves or drops an item).
struct KeyIndex {
    /// 0 for an empty bucket, else `code(position)`.
    private var buckets: [Int32] = []
    private(set) var count = 0

    private static func code(_ position: Int) -> Int32 { Int32(position >= 0 ? position + 1 : position) }
    private static func position(_ code: Int32) -> Int { code > 0 ? Int(code) - 1 : Int(code) }

    /// The bucket holding `key`, or the empty bucket where it would go.
    private func find(_ key: String, keyAt: (Int) -> String) -> (bucket: Int, found: Bool) {
        let mask = buckets.count - 1
        var b = key.hashValue & mask
        while true {
            let c = buckets[b]
            if c == 0 { return (b, false) }
            if keyAt(Self.position(c)) == key { return (b, true) }
            b = (b + 1) & mask
        }
    }

    /// The position of `key`, nil when it is not held. An empty index answers without hashing.
    func position(of key: String, keyAt: (Int) -> String) -> Int? {
        guard count > 0 else { return nil }
        let (b, found) = find(key, keyAt: keyAt)
        return found ? Self.position(buckets[b]) : nil
    }

    /// Sets the position of `key`, adding the key when it is new.
    mutating func set(_ key: String, to position: Int, keyAt: (Int) -> String) {
        if (count + 1) * 2 > buckets.count { reserve(count + 1, keyAt: keyAt) }
        let (b, found) = find(key, keyAt: keyAt)
        if !found { count += 1 }
        buckets[b] = Self.code(position)
    }

    /// Adds `key` at `position` unless it is held: nil when added, else the position it has (left
    /// as it is). One probe where `position(of:)` then `set` would make two.
    mutating func insertIfAbsent(_ key: String, at position: Int, keyAt: (Int) -> String) -> Int? {
        if (count + 1) * 2 > buckets.count { reserve(count + 1, keyAt: keyAt) }
        let (b, found) = find(key, keyAt: keyAt)
        if found { return Self.position(buckets[b]) }
        count += 1
        buckets[b] = Self.code(position)
        return nil
    }

    /// Removes `key`; returns the position it had, nil when it was not held. The entries after
    /// it in its run move back (backward-shift deletion), so lookups never need tombstones.
    mutating func remove(_ key: String, keyAt: (Int) -> String) -> Int? {
        guard count > 0 else { return nil }
        let (b, found) = find(key, keyAt: keyAt)
        guard found else { return nil }
        let removed = Self.position(buckets[b])
        count -= 1
        let mask = buckets.count - 1
        var hole = b
        var j = b
        while true {
            j = (j + 1) & mask
            let c = buckets[j]
            if c == 0 { break }
            let home = keyAt(Self.position(c)).hashValue & mask
            // An entry whose home lies cyclically in (hole, j] is found before the hole: it stays.
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if stays { continue }
            buckets[hole] = c
            hole = j
        }
        buckets[hole] = 0
        return removed
    }

    /// Makes room for `n` keys at most half the buckets full (a power of two, at least 16).
    mutating func reserve(_ n: Int, keyAt: (Int) -> String) {
        var size = max(buckets.count, 16)
        while size < n * 2 { size *= 2 }
        guard size > buckets.count else { return }
        let old = buckets
        buckets = Array(repeating: 0, count: size)
        let mask = size - 1
        for c in old where c != 0 {
            var b = keyAt(Self.position(c)).hashValue & mask
            while buckets[b] != 0 { b = (b + 1) & mask }
            buckets[b] = c
        }
    }
}
