import Foundation
import Testing

/// Many profiles start a few at a time (`SupervisorConfig.maxStarting`): the next worker is
/// spawned when one before it is ready, so a thousand profiles do not share the cores a thousand
/// ways and miss the ready timeout.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct StartConcurrencyTests {
    @Test func noMoreThanMaxStartingWorkersStartAtOnceAndEveryOneGetsReady() throws {
        let h = try DaemonHarness()
        let names = (0..<6).map { "p\($0)" }
        for name in names { try h.writeProfile(name) }
        try h.start(arguments: ["--max-starting", "2"])
        for name in names { try h.waitReady(name, timeout: 60) }

        // The daemon's log, in order: each start takes a slot, each ready (or exit) frees one.
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        var starting: Set<String> = []
        var most = 0
        var started = 0
        var ready: Set<String> = []
        for line in log.split(separator: "\n") {
            guard let profile = field("profile", in: line) else { continue }
            if line.contains("msg=\"worker started\"") {
                starting.insert(profile)
                started += 1
                most = max(most, starting.count)
            } else if line.contains("msg=\"worker ready\"") {
                starting.remove(profile)
                ready.insert(profile)
            } else if line.contains("msg=\"worker exited") {
                starting.remove(profile)
            }
        }
        #expect(most == 2, "at most \(most) workers were starting at once:\n\(log)")
        #expect(started == 6, "\(started) workers started:\n\(log)")
        #expect(ready == Set(names))
        #expect(h.stop() == 0)
    }

    private func field(_ key: String, in line: Substring) -> String? {
        guard let r = line.range(of: " \(key)=") else { return nil }
        return String(line[r.upperBound...].prefix { $0 != " " })
    }
}
