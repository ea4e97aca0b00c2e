/// The external_ids seen in one listing, for the duplicate check. Keys that are canonical decimal
/// integers (most tables key rows by an integer id) are kept as `Int`s, which hash several times
/// faster than strings; any other key is kept as a string. The mapping is one to one ("0042" is
/// not canonical and stays a string), so two keys collide only when they are equal.
///
/// Keys inserted since the last `mark()` are journaled, so a page that must be read again can
/// take its keys back with `rollback()` (a copy of the set to restore would cost a full copy of
/// it on the next insert).
struct KeySet {
    private var integers: Set<Int> = []
    private var strings: Set<String> = []
    private var journalIntegers: [Int] = []
    private var journalStrings: [String] = []

    var count: Int { integers.count + strings.count }

    /// Inserts `key`; false when it was already present.
    mutating func insert(_ key: String) -> Bool {
        if let n = Self.canonicalInteger(key) {
            guard integers.insert(n).inserted else { return false }
            journalIntegers.append(n)
            return true
        }
        guard strings.insert(key).inserted else { return false }
        journalStrings.append(key)
        return true
    }

    /// Starts a new journal: `rollback()` will return the set to this state.
    mutating func mark() {
        journalIntegers.removeAll(keepingCapacity: true)
        journalStrings.removeAll(keepingCapacity: true)
    }

    /// Removes every key inserted since `mark()`.
    mutating func rollback() {
        for n in journalIntegers { integers.remove(n) }
        for s in journalStrings { strings.remove(s) }
        mark()
    }

    /// Makes room for `additional` more integer keys, growing geometrically: reserving exactly
    /// what each page needs would rehash the whole set once per page.
    mutating func reserve(additional: Int) {
        let needed = integers.count + additional
        if needed > integers.capacity { integers.reserveCapacity(max(needed, integers.capacity * 2)) }
    }

    mutating func removeAll() {
        integers = []
        strings = []
        mark()
    }

    /// The value of `key` when it is a canonical non-negative decimal integer of at most 18
    /// digits (no sign, no leading zero unless it is "0").
    static func canonicalInteger(_ key: String) -> Int? {
        let utf8 = key.utf8
        let n = utf8.count
        guard n >= 1, n <= 18, !(n > 1 && utf8.first == UInt8(ascii: "0")) else { return nil }
        var value = 0
        for b in utf8 {
            let d = Int(b) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            value = value &* 10 &+ d
        }
        return value
    }
}
