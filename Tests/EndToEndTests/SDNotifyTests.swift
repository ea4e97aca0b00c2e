import Foundation
import Testing

/// `Type=notify`: the daemon tells systemd when it is ready, and what it is doing.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct SDNotifyTests {
    @Test func readyAndStatusAreSentToNotifySocket() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let path = h.root + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(rc == 0)
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
}
