import AlmanacCore
import Foundation

/// Commits the state of applied batches, in order, on a thread of its own: the next batch's
/// writes go out while one batch's state is written. A batch is handed over only after its
/// writes were answered, so what a commit records was done; the applier waits for every commit
/// (`finish`) before it returns, so cursors are stored after all of them. At most `depth`
/// batches wait; `submit` blocks beyond that. After a failed commit nothing more is committed:
/// `submit` and `finish` throw that failure.
final class StateCommitter: @unchecked Sendable {
    // @unchecked: `waiting`, `committing`, `failure` and `closed` are guarded by `condition`;
    // `store` is Sendable and `fault` is called under `faultLock` only.
    private struct Batch {
        var upserts: [ItemState]
        var removals: [Int64]
        var answeredCreates: [String]
        var number: Int
    }

    private let store: StateStore
    private let job: String
    private let fault: (FaultPoint) -> Void
    private let faultLock: NSLock
    private let depth: Int
    private let condition = NSCondition()
    private var waiting: [Batch] = []
    private var committing = false
    private var closed = false
    private var failure: (any Error)?

    /// `fault` is called at `beforeCommit` and `afterCommit`, holding `faultLock` (the applier
    /// calls it under the same lock, so a hook never runs on two threads at once).
    init(store: StateStore, job: String, depth: Int = 2, fault: @escaping (FaultPoint) -> Void, faultLock: NSLock) {
        self.store = store
        self.job = job
        self.depth = max(1, depth)
        self.fault = fault
        self.faultLock = faultLock
        let thread = Thread { [self] in run() }
        thread.name = "almanac-state-commit"
        thread.start()
    }

    /// Queues one batch's state. Throws the failure of an earlier commit (nothing is queued then).
    func submit(upserts: [ItemState], removals: [Int64], answeredCreates: [String] = [], number: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        waiting.append(
            Batch(upserts: upserts, removals: removals, answeredCreates: answeredCreates, number: number))
        condition.broadcast()
    }

    /// Waits until every queued batch is committed and ends the thread. Throws the first failed
    /// commit's error (`state.write_failed`). Calling it again returns at once (or throws again).
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while (!waiting.isEmpty || committing) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    private func run() {
        while true {
            condition.lock()
            while waiting.isEmpty && !closed { condition.wait() }
            guard failure == nil, !waiting.isEmpty else {
                condition.unlock()
                return
            }
            let batch = waiting.removeFirst()
            committing = true
            condition.broadcast()
            condition.unlock()

            let error = commit(batch)

            condition.lock()
            committing = false
            if let error { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }

    private func commit(_ batch: Batch) -> (any Error)? {
        faultLock.withLock { fault(.beforeCommit(batch: batch.number)) }
        do {
            try store.commit(
                job: job, upserts: batch.upserts, removals: batch.removals, answeredCreates: batch.answeredCreates)
        } catch {
            return AlmanacError(.stateWriteFailed, "cannot write the state file \(store.path): \(error)", cause: error)
        }
        faultLock.withLock { fault(.afterCommit(batch: batch.number)) }
        return nil
    }
}
