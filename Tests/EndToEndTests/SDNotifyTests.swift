import Foundation
import Testing

/// `Type=notify`: the daemon tells systemd when it is ready, and what it is doing.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct SDNotifyTests {
    @Test func readyAndStatusAreSentToNotifySocket() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let path = h.root + "/notify.sock"
        let fd = try unixSocket(path, type: SOCK_DGRAM, bind: true)
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        try h.start(environment: ["NOTIFY_SOCKET": path])
        var messages: [String] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while !messages.contains(where: { $0.contains("STATUS=1 of 1 profiles running") }) {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            messages.append(String(decoding: buf[0..<n], as: UTF8.self))
        }
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=") == true)
        #expect(messages.contains { $0.contains("STATUS=1 of 1 profiles running") }, "\(messages)")
        #expect(h.stop() == 0)
        let n = recv(fd, &buf, buf.count, 0)
        #expect(n > 0 && String(decoding: buf[0..<n], as: UTF8.self).contains("STOPPING=1"))
    }

    /// `WatchdogSec=`: `READY=1`, then `WATCHDOG=1` every half of `WATCHDOG_USEC`, from the loop.
    @Test func watchdogPingsFollowReadyEveryHalfInterval() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let socket = try NotifySocket(path: h.root + "/notify.sock")
        try h.start(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "600000"])
        let messages = socket.receive(for: 2.0)
        #expect(h.stop() == 0)
        #expect(messages.first?.text.hasPrefix("READY=1\n") == true, "\(messages.map(\.text))")
        let pings = messages.filter { $0.text == "WATCHDOG=1" }.map(\.at)
        let readyAt = messages.first { $0.text.hasPrefix("READY=1") }?.at ?? .infinity
        // The first is due 0.3 s after the daemon started (the moment systemd's timer starts),
        // each next one 0.3 s after the last: never sooner, and within the 2 s watched at least 3.
        #expect(pings.count >= 3, "\(pings.count) pings in 2 s: \(messages.map(\.text))")
        #expect(pings.allSatisfy { $0 > readyAt })
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 0.29 }, "\(gaps)")
    }

    /// `WATCHDOG_PID` names another process (the variable was inherited): no pings.
    @Test func watchdogForAnotherProcessIsIgnored() throws {
        let h = try DaemonHarness()
        let socket = try NotifySocket(path: h.root + "/notify.sock")
        try h.start(environment: [
            "NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": String(getpid()),
        ])
        let messages = socket.receive(for: 1.0)
        #expect(h.stop() == 0)
        #expect(messages.first?.text.hasPrefix("READY=1\n") == true, "\(messages.map(\.text))")
        #expect(!messages.contains { $0.text.contains("WATCHDOG=1") }, "\(messages.map(\.text))")
    }
}

/// A bound `AF_UNIX` datagram socket standing in for systemd's `NOTIFY_SOCKET`.
private final class NotifySocket {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = try unixSocket(path, type: SOCK_DGRAM, bind: true)
    }

    deinit { close(fd) }

    /// Every datagram that arrives within `seconds`, with its arrival time (monotonic seconds).
    func receive(for seconds: Double) -> [(text: String, at: Double)] {
        var messages: [(text: String, at: Double)] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        let end = Self.now() + seconds
        while case let left = end - Self.now(), left > 0 {
            var tv = timeval(tv_sec: Int(left), tv_usec: Int((left - left.rounded(.down)) * 1e6) + 1)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let n = recv(fd, &buf, buf.count, 0)
            if n > 0 { messages.append((String(decoding: buf[0..<n], as: UTF8.self), Self.now())) }
        }
        return messages
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
