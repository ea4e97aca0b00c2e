import Foundation
import Testing

/// `almanac run` killed (SIGKILL) at seeded random points while the sink plugin writes, ten
/// times, then a clean run: the sink holds every source item exactly once, and every item it was
/// ever sent to create is one of them (a create resent after a kill carries the same id).
/// 28 s alone; `make test` runs it in its long pass beside CrashTests and ClientsEndToEndTests
/// (its name matches `CrashTests`), where it once went past 5 minutes: a 10-minute guard against a
/// hang, like the other long suites'.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ExecCrashTests {
    /// SplitMix64, so a failing sequence of kill points can be replayed from its seed.
    struct SplitMix {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
    }

    @Test func killsWhileThePluginWritesLeaveNoDuplicateAndNoLoss() throws {
        let w = try PluginWorld("crash")
        let count = 700
        let day = Date().addingTimeInterval(86_400)
        try w.seed(w.source, (0..<count).map { ("a\($0)", "Appt \($0)", day.addingTimeInterval(Double($0) * 900)) })
        try w.writeProfile(sourceExtra: "", sinkExtra: "")
        let path = w.profiles.appendingPathComponent("clinic.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "\"--name\", \"sink\"", with: "\"--name\", \"sink\", \"--write-delay\", \"0.004\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        var random = SplitMix(state: 1)
        var kills = 0
        for _ in 0..<10 {
            let received = try w.received().count
            let delay = random.next(0...250)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: PluginWorld.almanac)
            p.arguments = ["run", "clinic", "--profiles", w.profiles.path, "--state", w.state.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // The write has begun when the sink records the batch; then a random 0–250 ms more
            // (the sink applies a change every 4 ms).
            while p.isRunning, try w.received().count == received { usleep(2_000) }
            usleep(useconds_t(delay * 1000))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
            try waitForPluginExit(w.sink + ".pid")
            try waitForPluginExit(w.source + ".pid")
        }
        #expect(kills == 10, "a run ended before it could be killed")
        let before = try w.titles(w.sink).count
        #expect(before > 0 && before < count, "the kills did not land while the sink wrote: it holds \(before)")
        let clean = try w.run()
        #expect(clean.status == 0, "\(clean.out)\(clean.err)")

        let stored = try w.titles(w.sink)
        #expect(stored.count == count, "the sink holds \(stored.count) items")
        #expect(Set(stored.values) == Set((0..<count).map { "Appt \($0)" }))
        let created = Set(try w.received().filter { $0.hasPrefix("create ") }.map { $0.split(separator: " ")[1] })
        #expect(created == Set(stored.keys.map { Substring($0) }), "a create the sink received is not linked")
        #expect(try w.received().allSatisfy { $0.hasPrefix("create ") }, "only creates were needed")

        let again = try w.run()
        #expect(again.out.contains("to: \(count) unchanged"), "\(again.out)")
    }

    /// Waits until the plugin whose pid is in `pidFile` has exited (it must not write its store
    /// while the next run's plugin does).
    func waitForPluginExit(_ pidFile: String) throws {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text) else { return }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if kill(pid, 0) != 0 { return }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") {
                return
            }
            usleep(10_000)
        }
        Issue.record("plugin \(pid) still runs 10 s after almanac was killed")
    }
}
