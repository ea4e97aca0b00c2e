import AlmanacCore
import AlmanacSync
import Foundation
import GRDB
import Testing

/// The run history's queries and retention, and the connections' status, in a real state file.
@Suite(.timeLimit(.minutes(10)))
struct RunHistoryStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_900_000_000)

    static func report(_ id: String, job: String, at offset: Double, _ result: RunResult = .success) -> RunReport {
        RunReport(
            runID: id, profile: "p", job: job, trigger: .schedule, dryRun: false,
            started: t0.addingTimeInterval(offset), finished: t0.addingTimeInterval(offset + 2), result: result,
            errorCode: result == .failed ? "csv.no_files" : nil, error: result == .failed ? "no file" : nil)
    }

    static func store() throws -> StateStore {
        try StateStore(path: StateStoreTests.path())
    }

    @Test func historyIsNewestFirstPerJobOrAllAndLimited() throws {
        let store = try Self.store()
        for (i, job) in ["a", "b", "a", "b", "a"].enumerated() {
            try store.record(Self.report("r\(i)", job: job, at: Double(i) * 60))
        }
        #expect(try store.history(job: nil, limit: 10).map(\.runID) == ["r4", "r3", "r2", "r1", "r0"])
        #expect(try store.history(job: "a", limit: 10).map(\.runID) == ["r4", "r2", "r0"])
        #expect(try store.history(job: "b", limit: 1).map(\.runID) == ["r3"])
        #expect(try store.history(job: "zzz", limit: 10).isEmpty)
    }

    @Test func lastRunsHoldsTheLatestOfEachJob() throws {
        let store = try Self.store()
        #expect(try store.lastRuns().isEmpty)
        try store.record(Self.report("a1", job: "a", at: 0, .failed))
        try store.record(Self.report("b1", job: "b", at: 10, .failed))
        try store.record(Self.report("a2", job: "a", at: 20))
        let last = try store.lastRuns()
        #expect(last.mapValues(\.runID) == ["a": "a2", "b": "b1"])
        #expect(last["b"]?.errorCode == "csv.no_files")
        #expect(last["b"]?.result == .failed)
    }

    @Test func aRunsDurationIsKeptToTheMillisecond() throws {
        let path = StateStoreTests.path()
        let store = try StateStore(path: path)
        var fast = Self.report("fast", job: "a", at: 0.125)
        fast.finished = fast.started.addingTimeInterval(0.25)
        try store.record(fast)
        #expect(try store.runs(job: "a").map(\.durationMS) == [250])
        #expect(try store.history(job: nil, limit: 1).map(\.durationMS) == [250])
        #expect(try store.lastRuns()["a"]?.durationMS == 250)
        // A report kept before, with its times to the second, still reads.
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            let json = try String.fetchOne(db, sql: "SELECT report FROM runs WHERE run_id = 'fast'") ?? ""
            let seconds = json.replacingOccurrences(
                of: #"\.\d{3}Z"#, with: "Z", options: .regularExpression)
            #expect(seconds != json)
            try db.execute(sql: "UPDATE runs SET report = ? WHERE run_id = 'fast'", arguments: [seconds])
        }
        #expect(try store.runs(job: "a").map(\.runID) == ["fast"])
    }

    @Test func pruningDeletesOnlyRunsStartedBeforeTheCutoff() throws {
        let store = try Self.store()
        try store.record(Self.report("old1", job: "a", at: -100 * 86_400))
        try store.record(Self.report("old2", job: "b", at: -91 * 86_400))
        try store.record(Self.report("kept", job: "a", at: -89 * 86_400))
        try store.record(Self.report("new", job: "a", at: 0))
        #expect(try store.pruneRuns(startedBefore: Self.t0.addingTimeInterval(-90 * 86_400)) == 2)
        #expect(try store.history(job: nil, limit: 10).map(\.runID) == ["new", "kept"])
        #expect(try store.pruneRuns(startedBefore: Self.t0.addingTimeInterval(-90 * 86_400)) == 0)
    }

    @Test func connectionStatusSurvivesReopening() throws {
        let path = StateStoreTests.path()
        let failing = ConnectionHealth(
            name: "db", state: .failing, since: Self.t0, checked: Self.t0.addingTimeInterval(60),
            errorCode: "odbc.connect_failed", error: "refused")
        let ok = ConnectionHealth(name: "cal", state: .ok, since: Self.t0, checked: Self.t0)
        do {
            let store = try StateStore(path: path)
            try store.save([failing, ok])
            try store.save([ConnectionHealth(name: "cal", state: .reconnectRequired, since: Self.t0, checked: Self.t0)])
        }
        let reopened = try StateStore(path: path).connectionHealth()
        #expect(reopened["db"] == failing)
        #expect(reopened["cal"]?.state == .reconnectRequired)
        #expect(reopened.count == 2)
    }
}
