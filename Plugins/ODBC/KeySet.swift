/// The external_ids seen in one listing, for the duplicate check.
///
/// Keys that are canonical decimal integers (most tables key rows by an integer id) are kept as
/// bits, 64 consecutive ids to a word in a dictionary: ids from a sequence share words, so the
/// table stays small enough to stay in cache where a set of a million strings (or integers) takes
/// a cache miss per insert. Any other key is kept as a string. The mapping is one to one ("0042"
/// is not canonical and stays a string), so two keys collide only when they are equal.
///
/// Keys inserted since the last `mark()` are journaled, so a page that must be read again can
/// take its keys back with `rollback()` (a copy of the set to restore would cost a full copy of
/// it on the next insert).
struct KeySet {
    private var words: [Int: UInt64] = [:]
    private var integerCount = 0
    private var strings: Set<String> = []
    private var journalIntegers: [Int] = []
    private var journalStrings: [String] = []

    var count: Int { integerCount + strings.count }

    /// Whether `key` is present.
    func contains(_ key: String) -> Bool {
        if let n = Self.canonicalInteger(key) { return words[n >> 6, default: 0] & (UInt64(1) << UInt64(n & 63)) != 0 }
        return strings.contains(key)
    }

    /// Inserts `key`; false when it was already present.
    mutating func insert(_ key: String) -> Bool {
        if let n = Self.canonicalInteger(key) {
            let bit = UInt64(1) << UInt64(n & 63)
            let word = words[n >> 6, default: 0]
            guard word & bit == 0 else { return false }
            words[n >> 6] = word | bit
            integerCount += 1
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
        for n in journalIntegers { words[n >> 6]? &= ~(UInt64(1) << UInt64(n & 63)) }
        integerCount -= journalIntegers.count
        for s in journalStrings { strings.remove(s) }
        mark()
    }

    mutating func removeAll() {
        words = [:]
        integerCount = 0
        strings = []
        mark()
    }

    /// The value of `key` when it is a canonical non-negative decimal integer of at most 18
    /// digits (no sign, no leading zero unless it is "0").
    static func canonicalInteger(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { bytes -> Int? in
            let n = bytes.count
            guard n >= 1, n <= 18, !(n > 1 && bytes[0] == UInt8(ascii: "0")) else { return nil }
            var value = 0
            for b in bytes {
                let d = Int(b) &- 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value &* 10 &+ d
            }
            return value
        }
    }
}
