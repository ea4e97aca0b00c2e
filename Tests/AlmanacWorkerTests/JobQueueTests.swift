import AlmanacCore
import Foundation
import Testing

@testable import AlmanacWorker

@Suite("job queue", .timeLimit(.minutes(10)))
struct JobQueueTests {
    /// The reply to a sync request is sent from `answer`: the job thread must not be able to take
    /// the sync (and report `run_started`) before it.
    @Test func theAnswerComesBeforeTheJobThreadCanTakeTheSync() {
        let queue = JobQueue()
        let order = Order()
        let taker = Thread {
            if queue.take() != nil { order.add("taken") }
        }
        taker.start()
        Thread.sleep(forTimeInterval: 0.05)  // the taker waits in take()
        queue.addSync(id: "r1", job: nil, options: RunOptions(trigger: .manual)) { queued in
            Thread.sleep(forTimeInterval: 0.2)
            order.add(queued ? "queued" : "accepted")
        }
        let deadline = Date().addingTimeInterval(10)
        while order.values.count < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(order.values == ["accepted", "taken"])
        queue.stop()
    }

    @Test func aSyncAddedWhileOneWaitsIsCoalescedAndAnsweredQueued() {
        let queue = JobQueue()
        var answers: [Bool] = []
        queue.addSync(id: "a", job: nil, options: RunOptions(trigger: .manual)) { answers.append($0) }
        queue.addSync(id: "b", job: nil, options: RunOptions(trigger: .manual)) { answers.append($0) }
        #expect(answers == [false, true])
        guard case .sync(let ids, _, _) = queue.take() else {
            Issue.record("no sync waiting")
            return
        }
        #expect(ids == ["a", "b"])
        #expect(queue.isEmpty)
        queue.stop()
    }

    final class Order: @unchecked Sendable {  // @unchecked: under `lock`
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.withLock { list.append(s) } }
        var values: [String] { lock.withLock { list } }
    }
}
