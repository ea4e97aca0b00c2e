import AlmanacCore
import Foundation
import Testing

@testable import AlmanacSync

@Suite("state commits on their own thread", .timeLimit(.minutes(10)))
struct StateCommitterTests {
    static func store() throws -> StateStore {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-commit-\(UUID().uuidString).sqlite").path
        return try StateStore(path: path)
    }

    /// Twenty batches queued faster than they commit: all stored, in order, each between its
    /// own fault points, and the hook never runs on two threads at once (this thread reaches
    /// write points meanwhile, holding the same lock, as the applier does).
    @Test func everyQueuedBatchIsCommittedInOrderBeforeFinishReturns() throws {
        let store = try Self.store()
        let lock = NSLock()
        let points = PointLog()
        let committer = StateCommitter(
            store: store, job: "j", fault: { points.add($0) }, faultLock: lock)
        for b in 0..<20 {
            let items = (0..<50).map { ItemState(keyFrom: "f\(b)-\($0)", keyTo: "t\(b)-\($0)") }
            lock.withLock { points.add(.beforeWrite(.to, batch: b + 1)) }
            try committer.submit(upserts: items, removals: [], number: b)
        }
        try committer.finish()
        #expect(try store.items(job: "j").count == 1_000)
        var expected: [String] = []
        for b in 0..<20 { expected += ["before commit #\(b)", "after commit #\(b)"] }
        #expect(points.all.filter { $0.contains("commit") } == expected)
        #expect(points.all.count == 60)
        #expect(points.overlapped == false)
    }

    /// A batch that cannot be stored (a key another row holds): `finish` throws
    /// `state.write_failed`, later batches are refused, and nothing after the failure is stored.
    @Test func aFailedCommitStopsTheOnesAfterIt() throws {
        let store = try Self.store()
        try store.commit(job: "j", upserts: [ItemState(keyFrom: "taken", keyTo: "t0")])
        let committer = StateCommitter(store: store, job: "j", fault: { _ in }, faultLock: NSLock())
        try committer.submit(upserts: [ItemState(keyFrom: "a", keyTo: "ta")], removals: [], number: 0)
        try committer.submit(upserts: [ItemState(keyFrom: "taken", keyTo: "t1")], removals: [], number: 1)
        let error = #expect(throws: AlmanacError.self) { try committer.finish() }
        #expect(error?.code == .stateWriteFailed)
        #expect(throws: AlmanacError.self) {
            try committer.submit(upserts: [ItemState(keyFrom: "b", keyTo: "tb")], removals: [], number: 2)
        }
        #expect(Set(try store.items(job: "j").compactMap(\.keyFrom)) == ["taken", "a"])
    }
}

/// Fault points as reached, and whether two threads were ever inside the hook at once.
final class PointLog: @unchecked Sendable {
    // @unchecked: `points`, `inside` and `overlapped` are guarded by `lock`.
    private let lock = NSLock()
    private var points: [String] = []
    private var inside = false
    private(set) var overlapped = false

    func add(_ p: FaultPoint) {
        lock.withLock {
            if inside { overlapped = true }
            inside = true
            points.append(p.description)
        }
        Thread.sleep(forTimeInterval: 0.001)
        lock.withLock { inside = false }
    }

    var all: [String] { lock.withLock { points } }
}
