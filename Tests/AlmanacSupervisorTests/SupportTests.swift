import AlmanacSupervisor
import Foundation
import Testing

@Suite struct SupportTests {
    @Test func ringBufferKeepsTheNewestInOrder() {
        var ring = RingBuffer<Int>(capacity: 3)
        for i in 1...5 { ring.append(i) }
        #expect(ring.elements == [3, 4, 5])
        #expect(ring.suffix(2) == [4, 5])
        #expect(ring.suffix(10) == [3, 4, 5])
    }

    @Test func workerStatesKnowWhetherAProcessRuns() {
        #expect(WorkerState.allCases.filter(\.hasProcess) == [.starting, .ready, .idle, .syncing, .stopping])
        #expect(WorkerState.allCases.filter(\.isUp) == [.ready, .idle, .syncing])
    }

    @Test(arguments: [
        ("plain", "plain"), ("two words", "\"two words\""), ("a=b", "\"a=b\""), ("q\"x", "\"q\\\"x\""),
        ("", "\"\""),
    ])
    func logfmtQuoting(_ input: String, _ expected: String) {
        #expect(LogSink.quote(input) == expected)
    }

    @Test func jsonStrings() {
        #expect(LogSink.json("a\"b\n\u{1}") == "\"a\\\"b\\n\\u0001\"")
    }

    @Test func mailBoxDeliversItemsThenClosed() {
        let box = MailBox<Int>(kind: "test")
        box.push(1)
        box.close(error: "gone")
        box.push(2)
        guard case .item(1) = box.next(timeout: 1) else { Issue.record("expected 1"); return }
        guard case .closed(let e) = box.next(timeout: 1) else { Issue.record("expected closed"); return }
        #expect(e == "gone")
    }

    @Test func mailBoxTimesOut() {
        let box = MailBox<Int>(kind: "test")
        guard case .timedOut = box.next(timeout: 0.05) else { Issue.record("expected a timeout"); return }
    }

    @Test func sdNotifyWithoutSocketSendsNothing() {
        #expect(SDNotify(environment: [:]).send("READY=1") == false)
    }
}
