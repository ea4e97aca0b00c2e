import Foundation
import Testing

/// Many profiles start a few at a time (`SupervisorConfig.maxStarting`): the next worker is
/// spawned when one before it is ready, so a thousand profiles do not share the cores a thousand
/// ways and miss the ready timeout.
@Suite(.serialized, .timeLimit(.minutes(10)))
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

    /// Started with a soft limit of 64 open files (the hard one higher), as from a shell with a low
    /// `ulimit -Sn`: the daemon raises it to the hard limit, so 20 workers (five descriptors each
    /// in the daemon) all start instead of failing with "Too many open files" past the first ten.
    @Test func aLowSoftLimitOnOpenFilesIsRaisedSoEveryWorkerStarts() throws {
        var hard = rlimit()
        _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &hard)
        try #require(hard.rlim_max > 1_024, "the hard limit here is \(hard.rlim_max): the test needs it above 1,024")
        let h = try DaemonHarness()
        let names = (0..<20).map { "p\($0)" }
        for name in names { try h.writeProfile(name) }
        try h.start(softDescriptorLimit: 64)
        for name in names { try h.waitReady(name, timeout: 60) }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(!log.contains("Too many open files"), "\(log)")
        #expect(h.stop() == 0)
    }

    private func field(_ key: String, in line: Substring) -> String? {
        guard let r = line.range(of: " \(key)=") else { return nil }
        return String(line[r.upperBound...].prefix { $0 != " " })
    }
}
