import AlmanacCore
import AlmanacTestKit
import Testing

/// `--shard K/N` (Shard.swift): every name on exactly one shard, few moves when a shard is added,
/// the same answer everywhere, and the spec's errors.
@Suite(.timeLimit(.minutes(10)))
struct ShardTests {
    /// 10,000 names shaped like real profile names (letters and digits, 1 to 64 of them).
    static let names: [String] = {
        var random = SeededRandom(state: 20)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var out: Set<String> = []
        while out.count < 10_000 {
            let length = 1 + random.below(24)
            out.insert(String((0..<length).map { _ in alphabet[random.below(alphabet.count)] }))
        }
        return out.sorted()
    }()

    /// The shard of every name for N = 1 … 9.
    static let placements: [Int: [Int]] = Dictionary(
        uniqueKeysWithValues: (1...9).map { n in (n, names.map { Shard.of($0, count: n) }) })

    @Test func everyNameFallsOnExactlyOneShardAndEachShardGetsItsShare() throws {
        for n in 1...8 {
            let shards = (0..<n).map { try! #require(Shard(index: $0, count: n)) }
            var perShard = Array(repeating: 0, count: n)
            for (i, name) in Self.names.enumerated() {
                let owners = shards.filter { $0.owns(name) }
                #expect(owners.count == 1, "\(name) on \(owners.count) of \(n) shards")
                #expect(owners.first?.index == Self.placements[n]![i])
                perShard[Self.placements[n]![i]] += 1
            }
            // Binomial spread: within 5 standard deviations of 10,000 / N.
            let mean = Double(Self.names.count) / Double(n)
            let sd = (mean * (1 - 1 / Double(n))).squareRoot()
            for count in perShard {
                #expect(abs(Double(count) - mean) <= 5 * sd + 1, "N=\(n): \(perShard)")
            }
        }
    }

    @Test func addingAShardMovesFewNamesAndOnlyOntoTheNewShard() {
        for n in 1...8 {
            let before = Self.placements[n]!
            let after = Self.placements[n + 1]!
            let moved = zip(before, after).filter { $0 != $1 }
            #expect(moved.allSatisfy { $0.1 == n }, "N=\(n)→\(n + 1): a name moved between old shards")
            let share = Double(moved.count) / Double(Self.names.count)
            #expect(share <= 1.3 / Double(n + 1), "N=\(n)→\(n + 1): \(moved.count) of 10,000 moved")
            #expect(share >= 0.7 / Double(n + 1), "N=\(n)→\(n + 1): only \(moved.count) moved")
        }
    }

    /// Fixed answers: a change of the hash would move every deployed profile, so it is pinned here.
    @Test func theAnswerIsFixed() {
        #expect(Shard.of("clinic", count: 1) == 0)
        #expect(Shard.of("clinic", count: 4) == 3)
        #expect((1...8).map { Shard.of("alpha", count: $0) } == Self.pinnedAlpha)
    }
    static let pinnedAlpha: [Int] = [0, 1, 1, 1, 4, 4, 4, 4]

    @Test(arguments: [
        ("0/1", 0, 1), ("1/2", 1, 2), ("7/8", 7, 8), ("1023/1024", 1023, 1024),
    ])
    func parsesAValidSpec(_ spec: String, _ index: Int, _ count: Int) throws {
        let shard = try Shard(parsing: spec)
        #expect(shard.index == index && shard.count == count && shard.description == spec)
    }

    @Test(arguments: [
        ("2/2", "--shard 2/2: K must be 0 to 1 (shards count from 0)"),
        ("-1/2", "--shard -1/2: K must be 0 to 1 (shards count from 0)"),
        ("0/0", "--shard 0/0: N (the number of shards) must be 1 to 1024"),
        ("0/1025", "--shard 0/1025: N (the number of shards) must be 1 to 1024"),
        ("1", "--shard takes K/N (this shard K of N, counting from 0: 0/2 and 1/2), got \"1\""),
        ("a/2", "--shard takes K/N (this shard K of N, counting from 0: 0/2 and 1/2), got \"a/2\""),
        ("0/2/3", "--shard takes K/N (this shard K of N, counting from 0: 0/2 and 1/2), got \"0/2/3\""),
    ])
    func refusesABadSpec(_ spec: String, _ message: String) {
        #expect(throws: ShardSpecError.self) { try Shard(parsing: spec) }
        do {
            _ = try Shard(parsing: spec)
        } catch {
            #expect(error.message == message)
        }
    }
}
