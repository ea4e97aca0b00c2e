import AlmanacCore
import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// `almanac daemon --shard K/N` with the built binary: two daemons on one profiles directory run
/// disjoint sets of profiles whose union is every profile, and each refuses to provision a name
/// of the other's shard.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ShardEndToEndTests {
    static let names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]

    @Test func twoShardsRunDisjointSetsThatCoverEveryProfile() throws {
        let h0 = try DaemonHarness()
        let h1 = try DaemonHarness()
        h1.sharedProfiles = h0.profiles
        for name in Self.names { try h0.writeProfile(name) }
        let expected = (0..<2).map { k in Set(Self.names.filter { Shard.of($0, count: 2) == k }) }
        try #require(!expected[0].isEmpty && !expected[1].isEmpty, "the names should fall on both shards")

        try h0.start(arguments: ["--shard", "0/2"])
        defer { h0.stop() }
        try h1.start(arguments: ["--shard", "1/2"])
        defer { h1.stop() }
        for (k, h) in [h0, h1].enumerated() {
            for name in expected[k].sorted() { try h.waitReady(name, timeout: 30) }
        }
        let running = try [h0, h1].map { Set(try $0.statuses().keys) }
        #expect(running[0] == expected[0] && running[1] == expected[1])
        #expect(running[0].isDisjoint(with: running[1]))
        #expect(running[0].union(running[1]) == Set(Self.names))

        // The health answer carries the shard; profiles counts this shard's only.
        for (k, h) in [h0, h1].enumerated() {
            let health = try Wire.decoder().decode(
                Health.self, from: Data(try h.client().request("GET", "/v1/health").body))
            #expect(health.shard == k && health.shards == 2 && health.profiles == expected[k].count)
        }

        // A file dropped into the shared directory starts on its shard only.
        let dropped = "lambda"
        let owner = Shard.of(dropped, count: 2)
        try h0.writeProfile(dropped)
        try [h0, h1][owner].waitReady(dropped, timeout: 10)
        usleep(1_500_000)
        #expect(try [h0, h1][1 - owner].status(dropped) == nil)
        let cli = try [h0, h1][1 - owner].cli(["status", dropped])
        #expect(cli.code == 1, "\(cli.out)\(cli.err)")
        let log = try String(contentsOfFile: [h0, h1][1 - owner].logPath, encoding: .utf8)
        #expect(log.contains("profiles of other shards in the directory: not run here"))

        // `shard-of` agrees with the daemons.
        for name in Self.names + [dropped] {
            let printed = try h0.cli(["shard-of", name, "--shards", "2"], runtimeOption: false)
            #expect(printed.code == 0 && printed.out == "\(Shard.of(name, count: 2))\n", "\(name): \(printed)")
        }

        // Provisioning a name of the other shard: 409 profile.other_shard naming the owner, before
        // anything else is looked at (no template is needed to be refused); on the owner the
        // request goes on (here to the missing template's 404).
        let body = Array(#"{"name":"lambda","template":"none"}"#.utf8)
        let refused = try [h0, h1][1 - owner].client().request("POST", "/v1/profiles", body: body)
        #expect(refused.status == 409)
        let result = try Wire.decoder().decode(ActionResult.self, from: Data(refused.body))
        #expect(result.code == .profileOtherShard)
        #expect(
            result.message
                == "profile \"lambda\" falls on shard \(owner)/2, not on this daemon's \(1 - owner)/2: "
                + "send the request to the daemon of shard \(owner)")
        let passed = try [h0, h1][owner].client().request("POST", "/v1/profiles", body: body)
        #expect(passed.status == 404, "\(String(decoding: passed.body, as: UTF8.self))")
        let other = [h0, h1][1 - owner].client()
        for (method, path, body) in [
            ("DELETE", "/v1/profiles/lambda", ""), ("PUT", "/v1/profiles/lambda/schedule", #"{"every":"1h"}"#),
            ("POST", "/v1/profiles/lambda/disconnect", ""),
        ] {
            let answer = try other.request(method, path, body: Array(body.utf8))
            #expect(answer.status == 409, "\(method) \(path)")
            let refusal = try Wire.decoder().decode(ActionResult.self, from: Data(answer.body))
            #expect(refusal.code == .profileOtherShard, "\(method) \(path)")
        }
        #expect(FileManager.default.fileExists(atPath: h0.profiles + "/lambda.toml"))

        #expect(h0.stop() == 0 && h1.stop() == 0)
    }

    @Test func aBadShardIsAUsageError() throws {
        let h = try DaemonHarness()
        for (spec, message) in [
            ("2/2", "--shard 2/2: K must be 0 to 1 (shards count from 0)"),
            ("0/0", "--shard 0/0: N (the number of shards) must be 1 to 1024"),
            ("x", "--shard takes K/N (this shard K of N, counting from 0: 0/2 and 1/2), got \"x\""),
        ] {
            let run = try h.cli(
                ["daemon", "--profiles", h.profiles, "--state", h.state, "--shard", spec], runtimeOption: true)
            #expect(run.code == 64 && run.err.contains(message), "\(spec): \(run.code) \(run.err)")
        }
    }
}
