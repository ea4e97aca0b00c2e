import AlmanacCore
import AlmanacNotify
import Foundation
import Testing

/// `JobNotifyState.next`: which runs make a notice, and that the state survives a restart.
@Suite("Notification transitions", .timeLimit(.minutes(10)))
struct TransitionTests {
    static let t0 = Date(timeIntervalSince1970: 2_000_000_000)

    func run(_ result: RunResult, at minutes: Double, code: String? = nil, dryRun: Bool = false) -> RunReport {
        let start = Self.t0.addingTimeInterval(minutes * 60)
        return RunReport(
            runID: "run-\(Int(minutes))", profile: "clinic", job: "main", trigger: .schedule, dryRun: dryRun,
            started: start, finished: start.addingTimeInterval(1), result: result,
            errorCode: code ?? (result == .failed ? "csv.path_missing" : nil),
            error: result == .failed ? "the file is missing" : nil)
    }

    /// Plays `runs` through the transitions; returns the events sent (`!` marks a reminder).
    func play(
        _ runs: [RunReport], from start: JobNotifyState = JobNotifyState(), repeat every: Duration? = .seconds(3_600)
    )
        -> (sent: [String], state: JobNotifyState)
    {
        var state = start
        var sent: [String] = []
        for r in runs {
            let (next, n) = state.next(after: r, now: r.finished, repeatInterval: every)
            if let n { sent.append(n.event.rawValue + (n.reminder ? "!" : "")) }
            state = next
        }
        return (sent, state)
    }

    @Test func failureOnceThenRecovery() {
        let (sent, state) = play([
            run(.success, at: 0), run(.failed, at: 10), run(.failed, at: 20), run(.failed, at: 30),
            run(.success, at: 40), run(.success, at: 50),
        ])
        #expect(sent == ["failure", "recovery"])
        #expect(state == JobNotifyState())
    }

    @Test func theFirstRunFailingIsAFailure() {
        #expect(play([run(.failed, at: 0)]).sent == ["failure"])
        #expect(play([run(.success, at: 0), run(.partial, at: 1)]).sent == [])
    }

    @Test func remindersComeEveryRepeatWhileFailed() {
        let runs = (0...13).map { run(.failed, at: Double($0) * 10) }  // every 10 minutes for 130 minutes
        #expect(play(runs).sent == ["failure", "failure!", "failure!"])
        #expect(play(runs, repeat: nil).sent == ["failure"])
    }

    @Test func reconnectAndGuardAreTheirOwnEvents() {
        let reconnect = run(.failed, at: 0, code: ErrorCode.oauthReconnectRequired.rawValue)
        #expect(play([reconnect, run(.success, at: 5)]).sent == ["reconnect_required", "recovery"])
        #expect(play([run(.blocked, at: 0, code: "sync.mass_delete_blocked")]).sent == ["mass_delete_blocked"])
        // A failure that turns into a reconnect is told, and keeps its start.
        let (sent, state) = play([run(.failed, at: 0), reconnect])
        #expect(sent == ["failure", "reconnect_required"])
        #expect(state.since == run(.failed, at: 0).started)
    }

    @Test func dryRunsNeverNotifyNorMove() {
        let (sent, state) = play([run(.failed, at: 0, dryRun: true), run(.success, at: 1, dryRun: true)])
        #expect(sent == [])
        #expect(state == JobNotifyState())
        let failing = play([run(.failed, at: 0)]).state
        #expect(play([run(.success, at: 5, dryRun: true)], from: failing).state == failing)
    }

    @Test func recoveryCarriesTheFailureStartAndTheRun() throws {
        var state = JobNotifyState()
        state = state.next(after: run(.failed, at: 0), now: Self.t0, repeatInterval: nil).state
        let (_, n) = state.next(after: run(.success, at: 30), now: Self.t0, repeatInterval: nil)
        let recovery = try #require(n)
        #expect(recovery.event == .recovery)
        #expect(recovery.since == run(.failed, at: 0).started)
        #expect(recovery.runID == "run-30")
        #expect(recovery.error == nil)
    }

    @Test func theStateFileSurvivesARestart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-state-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = NotifyStateFile(stateDirectory: dir, profile: "clinic")
        #expect(file.load().jobs.isEmpty)
        let failing = play([run(.failed, at: 0)]).state
        try file.save(["main": failing], pending: [])
        let reloaded = NotifyStateFile(stateDirectory: dir, profile: "clinic").load().jobs
        #expect(reloaded["main"] == failing)
        // After the "restart", another failed run sends nothing; the success is a recovery.
        #expect(play([run(.failed, at: 5), run(.success, at: 6)], from: reloaded["main"]!).sent == ["recovery"])
        #expect(FileManager.default.fileExists(atPath: dir + "/clinic.notify.json"))
    }
}
