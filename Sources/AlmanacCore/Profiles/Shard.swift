/// One shard of a fleet of daemons sharing one profiles directory (`almanac daemon --shard K/N`):
/// the daemon runs only the profiles whose names fall on shard `index` of `count`.
///
/// A name falls on the shard of highest rendezvous weight (highest random weight hashing): the
/// name's key is the first 8 bytes of its SHA-256, and the weight of shard `k` is a fixed 64-bit
/// mix of that key and `k` (`weight`). The same on every host, architecture and release (no seeded
/// hasher), and stable: going from N to N+1 shards moves only the names whose new shard N wins, about
/// 1/(N+1) of them, each from its old shard to the new one.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// Shard counts accepted: one shard (everything) to this many.
    public static let maxCount = 1024

    /// This shard, from 0.
    public let index: Int
    /// How many shards there are.
    public let count: Int

    /// Nil unless `0 ≤ index < count ≤ maxCount`.
    public init?(index: Int, count: Int) {
        guard (1...Self.maxCount).contains(count), (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Reads `K/N`.
    ///
    /// - Throws: `ShardSpecError` naming what is wrong.
    public init(parsing spec: String) throws(ShardSpecError) {
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardSpecError("--shard takes K/N (this shard K of N, counting from 0: 0/2 and 1/2), got \"\(spec)\"")
        }
        guard (1...Self.maxCount).contains(n) else {
            throw ShardSpecError("--shard \(spec): N (the number of shards) must be 1 to \(Self.maxCount)")
        }
        guard let shard = Shard(index: k, count: n) else {
            throw ShardSpecError("--shard \(spec): K must be 0 to \(n - 1) (shards count from 0)")
        }
        self = shard
    }

    public var description: String { "\(index)/\(count)" }

    /// True when `name` falls on this shard.
    public func owns(_ name: String) -> Bool { Self.of(name, count: count) == index }

    /// The shard, 0 ..< `count`, that `name` falls on (`count` ≥ 1). Ties, never seen in practice,
    /// go to the lower shard.
    public static func of(_ name: String, count: Int) -> Int {
        precondition(count >= 1, "a shard count is at least 1")
        let key = nameKey(name)
        var best = 0
        var bestWeight = weight(key, 0)
        for k in 1..<max(1, count) {
            let w = weight(key, k)
            if w > bestWeight { (best, bestWeight) = (k, w) }
        }
        return best
    }

    /// The first 8 bytes, big-endian, of SHA-256 of the name's UTF-8 bytes.
    static func nameKey(_ name: String) -> UInt64 {
        var h = SHA256()
        h.update(name)
        return h.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The rendezvous weight of shard `k` for a name's key: SplitMix64's finalizer of the key plus
    /// `k + 1` times the golden-ratio increment (one independent-looking 64-bit value per shard).
    static func weight(_ key: UInt64, _ k: Int) -> UInt64 {
        var z = key &+ (UInt64(k) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A `--shard` value that is not `K/N` with `0 ≤ K < N`; `message` says what to write instead.
public struct ShardSpecError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
