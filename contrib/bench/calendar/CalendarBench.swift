import AlmanacCore
import AlmanacHTTP
import AlmanacWorker
import Foundation
import Logging

/// `calendar-bench [COUNT] [ROUNDS]`: COUNT appointment rows (default 10,000) in an SQLite
/// database, read by the odbc connector over the SQLite3 ODBC driver and synced by the engine
/// (`JobRunner`, as `almanac run` does, state on disk) to the fake Google (`almanac-fakes`, its
/// own process) on 127.0.0.1. Each of ROUNDS (default 3) rounds starts a fresh fake and state.
/// Prints events/s (wall), requests used (from the fake's request log), the ratio to the
/// targets, and peers measured in the same run: the google connector alone on the same events,
/// and one request per event (no batch endpoint). `--engine-only` times
/// only the first engine run of each round (no follow-up, no listing, no peers: for profiling).
@main
enum CalendarBench {
    static let requestTarget = 1.1 / 50
    static let rateTarget = 3000.0
    static let engineOnly = CommandLine.arguments.contains("--engine-only")

    static func main() throws {
        let args = CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("--") }
        let count = args.first.flatMap(Int.init) ?? 10_000
        let rounds = args.dropFirst().first.flatMap(Int.init) ?? 3
        let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let fakesBinary = binDir.appendingPathComponent("almanac-fakes")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-calbench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let secret = work.appendingPathComponent("client-secret")
        try Data("bench-secret".utf8).write(to: secret)
        let database = try BenchProfile.seed(work, count: count)

        print("calendar bench: \(count) appointments, SQLite (odbc connector, SQLite3 ODBC driver) → engine → ")
        print("  fake Google (almanac-fakes, own process, 127.0.0.1); libcurl \(CurlTransport.curlVersion)")
        var runs: [EngineRun] = []
        for round in 1...rounds {
            let dir = work.appendingPathComponent("round\(round)")
            let fakes = try FakesProcess(binary: fakesBinary, directory: dir, clientID: BenchProfile.clientID)
            defer { fakes.stop() }
            let run = try EngineRun.measure(
                fakes: fakes, database: database, secret: secret, directory: dir, expected: count)
            print(run.line(round: round))
            runs.append(run)
        }
        let rates = runs.map(\.rate).sorted()
        let median = rates[rates.count / 2]
        let requests = runs.map(\.requests).max() ?? 0
        let allowed = requestTarget * Double(count)
        print(
            String(
                format: "  engine, %d rounds: median %.0f events/s (min %.0f, max %.0f) = %.2f× the 3,000 target; "
                    + "requests %d = %.2f× the %.0f allowed",
                runs.count, median, rates.first ?? 0, rates.last ?? 0, median / rateTarget, requests,
                Double(requests) / allowed, allowed))

        guard !engineOnly else { return }
        let peerDir = work.appendingPathComponent("peers")
        let fakes = try FakesProcess(binary: fakesBinary, directory: peerDir, clientID: BenchProfile.clientID)
        defer { fakes.stop() }
        let alone = try ConnectorPeers.batched(fakes: fakes, count: count, directory: peerDir)
        let single = try ConnectorPeers.oneByOne(fakes: fakes, count: max(1, count / 10), directory: peerDir)
        print(alone.line(label: "peer: google connector alone, same events from memory (50/batch)"))
        print(single.line(label: "peer: one events.insert per event, no batch endpoint"))
        print(
            String(
                format: "  ratios: engine/connector-alone %.2f× events/s; engine/one-per-event %.1f× events/s, "
                    + "%.3f× requests per event",
                median / alone.rate, median / single.rate,
                (Double(requests) / Double(count)) / (Double(single.requests) / Double(max(1, single.written)))))
        let ok =
            runs.allSatisfy { $0.created == count && $0.verified == count } && Double(requests) <= allowed
            && median >= rateTarget
        print("  verdict: \(ok ? "meets" : "MISSES") the targets (≤ \(Int(allowed)) requests, ≥ 3,000 events/s)")
    }
}

/// One timed engine run of the bench profile against a fresh fake and an empty state directory,
/// then a no-change follow-up run and a listing of the fake to check what it holds.
struct EngineRun {
    var seconds: Double
    var created: Int
    var requests: Int
    var batchParts: Int
    var cpuOwn: Double
    var cpuFake: Double
    var phases: [(String, Double)]
    var followUpSeconds: Double
    var followUpRequests: Int
    var followUpUnchanged: Int
    var verified: Int

    var rate: Double { Double(created) / seconds }

    static func measure(fakes: FakesProcess, database: URL, secret: URL, directory: URL, expected: Int) throws
        -> EngineRun
    {
        let profiles = directory.appendingPathComponent("profiles")
        let path = try BenchProfile.write(
            profiles: profiles, database: database, google: fakes.baseURL, tokenFile: fakes.refreshTokenURL,
            secretFile: secret)
        let profile: Profile
        switch ConnectorRegistry.loader.load(path: path.path).result {
        case .success(let p): profile = p
        case .failure(let errors): throw BenchError("bench profile invalid: \(errors.issues)")
        }
        var logger = Logger(label: "calendar-bench")
        logger.logLevel = .warning
        let runner = try JobRunner(
            profile: profile, stateDirectory: directory.appendingPathComponent("state"), logger: logger)
        let before = fakes.apiRequests()
        let cpuOwn0 = ownCPUSeconds()
        let cpuFake0 = fakes.cpuSeconds
        var phases: [(String, Double)] = []
        let t0 = Date()
        let first = try runner.execute(job: BenchProfile.job, options: RunOptions()) { p in
            if phases.last?.0 != p.phase { phases.append((p.phase, Date().timeIntervalSince(t0))) }
        }
        let seconds = Date().timeIntervalSince(t0)
        let cpuOwn = ownCPUSeconds() - cpuOwn0
        let cpuFake = fakes.cpuSeconds - cpuFake0
        guard first.report.result == .success else {
            throw BenchError(
                "the engine run did not succeed: \(first.report.error ?? "")\(first.report.failures.prefix(3))")
        }
        let afterFirst = fakes.apiRequests()
        guard !CalendarBench.engineOnly else {
            return EngineRun(
                seconds: seconds, created: first.report.toCounts.created,
                requests: afterFirst.requests - before.requests, batchParts: afterFirst.batchParts - before.batchParts,
                cpuOwn: cpuOwn, cpuFake: cpuFake, phases: phases, followUpSeconds: 0, followUpRequests: 0,
                followUpUnchanged: 0, verified: expected)
        }
        let t1 = Date()
        let second = try runner.execute(job: BenchProfile.job, options: RunOptions())
        let followUp = Date().timeIntervalSince(t1)
        let afterSecond = fakes.apiRequests()
        let verified = try ConnectorPeers.listing(fakes: fakes, directory: directory)
        return EngineRun(
            seconds: seconds, created: first.report.toCounts.created, requests: afterFirst.requests - before.requests,
            batchParts: afterFirst.batchParts - before.batchParts, cpuOwn: cpuOwn, cpuFake: cpuFake, phases: phases,
            followUpSeconds: followUp, followUpRequests: afterSecond.requests - afterFirst.requests,
            followUpUnchanged: second.report.toCounts.unchanged, verified: verified)
    }

    func line(round: Int) -> String {
        let phaseText = zip(phases, phases.dropFirst().map(\.1) + [seconds]).map { p, end in
            String(format: "%@ %.2f", p.0, end - p.1)
        }.joined(separator: ", ")
        return String(
            format: "  round %d: %d created in %.2f s = %.0f events/s (wall); %d requests (%d batch calls); "
                + "CPU: bench %.2f s, fake %.2f s; phases [s]: %@\n"
                + "           fake holds %d events; no-change follow-up: %.2f s, %d requests, %d unchanged",
            round, created, seconds, rate, requests, batchParts, cpuOwn, cpuFake, phaseText, verified,
            followUpSeconds, followUpRequests, followUpUnchanged)
    }
}
