import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Logging
import Testing

@testable import AlmanacWorker

@Suite struct JobRunnerTests {
    @Test func runsAJobOfAProfileAndKeepsTheHistory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let profile = try SyncHarness.loadProfile(in: dir, timezone: "UTC", job: "")
        let from = try MemoryStore(file: dir.appendingPathComponent("from.json"))
        let start = Date().addingTimeInterval(3_600)
        try from.put(Event(title: "Visit", start: .instant(start, timeZone: nil)), key: "A1")
        let state = dir.appendingPathComponent("state")
        let runner = try JobRunner(
            profile: profile, stateDirectory: state, logger: Logger(label: "test"),
            modules: [MemoryModule.self])
        let dry = try runner.execute(job: "j", options: RunOptions(dryRun: true))
        #expect(dry.plan == ["create  to    A1  new in from"])
        let report = try runner.run(job: "j", options: RunOptions(), progress: { _ in })
        #expect(report.result == .success && report.toCounts.created == 1)
        let to = try MemoryStore(file: dir.appendingPathComponent("to.json"))
        #expect(to.live.values.map(\.event.title) == ["Visit"])
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("test.sqlite").path))
        #expect(try runner.store.runs(job: "j").map(\.runID) == [report.runID])
        #expect(throws: AlmanacError.self) { try runner.run(job: "nope", options: RunOptions(), progress: { _ in }) }
        #expect(runner.testConnections()["a"]?.ok == true)
        // Default schedule: every hour (jitter up to 5 minutes) from the last run's start.
        let next = try #require(runner.nextRun(after: report.finished, jitterFraction: 0))
        #expect(abs(next.timeIntervalSince(report.started) - 3_600) < 1)
    }

    @Test func aConnectorThatCannotBeBuiltIsAFailedReport() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let profile = try SyncHarness.loadProfile(in: dir, timezone: "UTC", job: "")
        let runner = try JobRunner(profile: profile, stateDirectory: dir, logger: Logger(label: "test"), modules: [])
        let report = try runner.run(job: "j", options: RunOptions(), progress: { _ in })
        #expect(report.result == .failed)
        #expect(report.errorCode == "config.unknown_connector")
        #expect(report.error == "connection \"a\": no connector \"memory\" in this build")
    }

    /// Finished runs are logged by outcome: failed ones at warning (retried soon, for a passing
    /// reason) or error, with their code in `error.code`.
    @Test func runsAreLoggedAtTheLevelOfTheirOutcome() {
        func report(_ result: RunResult, retryable: Bool? = nil) -> RunReport {
            var r = RunReport(
                runID: "r", profile: "p", job: "j", trigger: .schedule, dryRun: false, started: Date(),
                finished: Date(), result: result)
            r.retryable = retryable
            return r
        }
        #expect(JobRunner.level(of: report(.success)) == .info)
        #expect(JobRunner.level(of: report(.partial)) == .warning)
        #expect(JobRunner.level(of: report(.failed, retryable: true)) == .warning)
        #expect(JobRunner.level(of: report(.failed)) == .error)
        #expect(JobRunner.level(of: report(.blocked)) == .error)
    }
}
