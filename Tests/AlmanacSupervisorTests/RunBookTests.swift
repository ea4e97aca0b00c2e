import AlmanacCore
import AlmanacWire
import Foundation
import Testing

@testable import AlmanacSupervisor

/// A profile's health is the worst of its jobs' latest real runs; dry runs are shown, never counted.
@Suite(.timeLimit(.minutes(10)))
struct RunBookTests {
    static let t0 = Date(timeIntervalSince1970: 1_900_000_000)

    static func run(_ job: String, _ result: String, at: Double, dry: Bool = false) -> RunSummary {
        var counts = PipeMessage.RunFinished(
            runID: "\(job)-\(at)", job: job, trigger: "manual", result: result, to: ActionCounts(),
            from: ActionCounts(), started: t0.addingTimeInterval(at), durationMS: 5,
            errorCode: result == "failed" ? "csv.no_files" : nil, error: result == "failed" ? "no file" : nil,
            requestIDs: [], batchDone: true)
        counts.dryRun = dry ? true : nil
        return RunSummary(counts, finished: t0.addingTimeInterval(at + 1))
    }

    @Test func oneFailingJobMakesTheProfileFailingWhateverRanLast() {
        var book = RunBook()
        book.ready(jobs: ["bad", "good"], stored: [], connections: [])
        #expect(book.health == nil)
        book.finished(Self.run("bad", "failed", at: 0), connections: nil)
        book.finished(Self.run("good", "success", at: 10), connections: nil)
        #expect(book.health == "failing")
        #expect(book.latest?.job == "good")
        #expect(book.failingError == "bad: csv.no_files: no file")
        #expect(book.statuses.map(\.name) == ["bad", "good"])
        book.finished(Self.run("bad", "success", at: 20), connections: nil)
        #expect(book.health == "ok")
        #expect(book.failingError == nil)
    }

    @Test func aDryRunIsShownAndNotCounted() {
        var book = RunBook()
        book.ready(jobs: ["j"], stored: [], connections: [])
        book.finished(Self.run("j", "failed", at: 0), connections: nil)
        book.finished(Self.run("j", "success", at: 10, dry: true), connections: nil)
        #expect(book.health == "failing")
        #expect(book.statuses[0].lastRun?.result == "failed")
        #expect(book.statuses[0].lastDryRun?.result == "success")
        #expect(book.latest?.result == "failed")
    }

    @Test func readyKeepsNewerRunsAndDropsJobsNoLongerInTheProfile() {
        var book = RunBook()
        book.ready(jobs: ["a", "gone"], stored: [], connections: [])
        book.finished(Self.run("a", "success", at: 100), connections: nil)
        book.finished(Self.run("gone", "failed", at: 100), connections: nil)
        book.ready(
            jobs: ["a", "b"], stored: [Self.run("a", "failed", at: 50), Self.run("b", "failed", at: 0)],
            connections: [])
        #expect(book.statuses.map { $0.lastRun?.result } == ["success", "failed"])
        #expect(book.health == "failing")
        #expect(book.failingError?.hasPrefix("b:") == true)
    }

    @Test func anOlderConnectionObservationDoesNotReplaceANewerOne() {
        var book = RunBook()
        let newer = ConnectionHealth(name: "db", state: .ok, since: Self.t0, checked: Self.t0.addingTimeInterval(60))
        book.observed(newer)
        book.observed(ConnectionHealth(name: "db", state: .failing, since: Self.t0, checked: Self.t0))
        #expect(book.connections["db"] == newer)
    }
}
