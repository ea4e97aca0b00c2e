import AlmanacCore
import AlmanacWire
import Foundation

/// The work a worker was asked for, executed one item at a time on the job thread.
/// A sync requested while one runs is coalesced into the single pending sync (its request ids
/// collected, `full`/`since` merged) and answered `queued`.
final class JobQueue: @unchecked Sendable {  // @unchecked: all state under `condition`
    enum Item {
        case sync(ids: [String], job: String?, options: RunOptions)
        case test(id: String, connection: String?)
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private(set) var busy = false
    private var stopped = false

    /// Adds a sync; `answer` learns whether it was coalesced into one already waiting or running
    /// (`queued`). `answer` runs before the job thread can take the sync, so a reply sent from it
    /// reaches the supervisor ahead of that run's `run_started`.
    func addSync(id: String?, job: String?, options: RunOptions, answer: (_ queued: Bool) -> Void = { _ in }) {
        condition.lock()
        defer {
            condition.signal()
            condition.unlock()
        }
        for (i, item) in items.enumerated() {
            if case .sync(let ids, let j, var o) = item, j == job || j == nil {
                o.full = o.full || options.full
                o.dryRun = o.dryRun && options.dryRun
                if let s = options.since { o.since = min(o.since ?? s, s) }
                o.allowMassDelete = o.allowMassDelete || options.allowMassDelete
                items[i] = .sync(ids: ids + (id.map { [$0] } ?? []), job: j, options: o)
                answer(true)
                return
            }
        }
        items.append(.sync(ids: id.map { [$0] } ?? [], job: job, options: options))
        answer(busy)
    }

    func addTest(id: String, connection: String?) {
        condition.lock()
        items.append(.test(id: id, connection: connection))
        condition.signal()
        condition.unlock()
    }

    /// The next item (blocking); nil once stopped.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        busy = false
        while items.isEmpty && !stopped { condition.wait() }
        if stopped {
            busy = false
            return nil
        }
        busy = true
        return items.removeFirst()
    }

    func stop() {
        condition.lock()
        stopped = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// True when nothing waits to run.
    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.isEmpty
    }

    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return busy
    }
}
