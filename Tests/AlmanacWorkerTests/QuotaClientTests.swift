import AlmanacWire
import Foundation
import Testing

@testable import AlmanacWorker

@Suite("quota client", .timeLimit(.minutes(10)))
struct QuotaClientTests {
    /// A run with more asks granted at once than the client keeps round trips of: `grants=` in the
    /// log counts every ask, the figures come from the latest `maxSamples`.
    @Test func theCountIsEveryAskGrantedAtOnceNotTheSamplesKept() throws {
        let client = QuotaClient(events: EventChannel(fd: -1))
        let asks = QuotaClient.maxSamples + 10
        for i in 0..<asks { client.record(Double(i)) }
        let r = try #require(client.takeRoundTrips())
        #expect(r.count == asks)
        // The 10 oldest (0 µs to 9 µs) were overwritten: the median of 10…asks-1 and its largest.
        #expect(r.p50 == Double(10 + QuotaClient.maxSamples / 2 - 1))
        #expect(r.max == Double(asks - 1))
        #expect(client.takeRoundTrips()?.count == nil, "taken: forgotten")
        client.record(7)
        #expect(client.takeRoundTrips()?.count == 1)
    }

    /// Asks of eight threads at once, granted on the grant pipe in batches and in another order
    /// than asked (a "daemon" thread reading the asks): one asker reads at a time and hands the
    /// others theirs; every ask returns with its own grant, none is left waiting.
    @Test func grantsOnTheirOwnPipeReachTheThreadThatAsked() throws {
        let asks = try Pipe(), grants = try Pipe()
        let client = QuotaClient(events: EventChannel(fd: asks.write), grantFD: grants.read)
        let threads = 8, each = 200
        let (askRead, grantWrite) = (asks.read, grants.write)
        let daemon = Thread {
            var framer = LineFramer()
            var pending: [String] = []
            var answered = 0
            var buf = [UInt8](repeating: 0, count: 4_096)
            while answered < threads * each {
                let n = read(askRead, &buf, buf.count)
                guard n > 0 else { return }
                for case .line(let line) in framer.feed(Array(buf[0..<n])) {
                    if let ask = QuotaLine.parseAsk(line[...]) { pending.append(ask.id) }
                }
                // Held while more asks come within 2 ms (up to three), then granted last first, in one write.
                var more = pollfd(fd: askRead, events: Int16(POLLIN), revents: 0)
                if pending.count < 3, poll(&more, 1, 2) > 0 { continue }
                let out = pending.reversed().flatMap { QuotaLine.grant(id: $0, waitedMS: 0) }
                answered += pending.count
                pending = []
                _ = out.withUnsafeBytes { write(grantWrite, $0.baseAddress, $0.count) }
            }
        }
        daemon.start()
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            Thread {
                for _ in 0..<each { client.acquire(keys: ["google:x"], tokens: 1) }
                done.leave()
            }.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success, "an ask was left waiting for its grant")
        #expect(client.takeRoundTrips()?.count == threads * each)
    }

    /// The daemon gone (EOF on the grant pipe): a waiting ask returns instead of hanging.
    @Test func anAskReturnsWhenTheGrantPipeCloses() throws {
        let asks = try Pipe(), grants = try Pipe()
        let client = QuotaClient(events: EventChannel(fd: asks.write), grantFD: grants.read)
        grants.closeWrite()
        client.acquire(keys: ["google:x"], tokens: 1)
        #expect(client.takeRoundTrips() == nil, "nothing granted")
    }
}

/// A pipe whose ends close with it. Close-on-exec: the tests of this process run side by side and
/// start processes, and a write end one of them inherited would keep the read end from ever
/// seeing EOF.
private final class Pipe {
    let read: Int32
    private(set) var write: Int32
    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        (read, write) = (fds[0], fds[1])
    }
    func closeWrite() {
        close(write)
        write = -1
    }
    deinit {
        close(read)
        if write >= 0 { close(write) }
    }
}
