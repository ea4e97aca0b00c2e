import AlmanacCore
import Foundation
import Glibc

/// A blocking HTTP/1.1 client of the control API: the unix socket, or TCP loopback with a bearer
/// token. One request per connection. Used by the CLI and the end-to-end tests.
public struct ControlClient: Sendable {
    public enum Endpoint: Sendable, Hashable {
        case unix(path: String)
        /// `127.0.0.1:PORT`
        case tcp(host: String, port: UInt16, token: String?)
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    public let endpoint: Endpoint
    public var timeout: Double

    public init(endpoint: Endpoint, timeout: Double = 30) {
        self.endpoint = endpoint
        self.timeout = timeout
    }

    /// Sends a request and reads the whole response.
    /// - Throws: `AlmanacError(.apiUnreachable)` when the daemon cannot be reached.
    public func request(_ method: String, _ path: String, body: [UInt8] = []) throws -> Response {
        var status = 0
        var collected: [UInt8] = []
        try stream(method, path, body: body, status: { status = $0 }) { chunk in
            collected += chunk
            return true
        }
        return Response(status: status, body: collected)
    }

    /// Sends a request and hands the body to `onData` as it arrives (for NDJSON streams), until the
    /// server closes or `onData` returns false.
    public func stream(
        _ method: String, _ path: String, body: [UInt8] = [], status: (Int) -> Void,
        onData: ([UInt8]) -> Bool
    ) throws {
        let fd = try connectSocket()
        defer { close(fd) }
        var head =
            "\(method) \(path) HTTP/1.1\r\nHost: almanac\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        if case .tcp(_, _, let token?) = endpoint { head += "Authorization: Bearer \(token)\r\n" }
        guard writeAll(fd, Array((head + "\r\n").utf8) + body) else {
            throw AlmanacError(.apiUnreachable, "the daemon closed the connection")
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var headerDone = false
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw AlmanacError(.apiTimeout, "no answer from the daemon within \(Int(timeout))s")
            }
            if n <= 0 { break }
            if headerDone {
                if !onData(Array(chunk[0..<n])) { return }
                continue
            }
            buffer += chunk[0..<n]
            guard let end = buffer.firstRange(of: [13, 10, 13, 10]) else { continue }
            let headText = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
            let statusLine = headText.split(separator: "\r\n").first ?? ""
            status(Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0)
            headerDone = true
            let rest = Array(buffer[end.upperBound...])
            buffer = []
            if !rest.isEmpty, !onData(rest) { return }
        }
        if !headerDone { throw AlmanacError(.apiUnreachable, "the daemon closed the connection without an answer") }
    }

    private func connectSocket() throws -> Int32 {
        switch endpoint {
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard fd >= 0, bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                if fd >= 0 { close(fd) }
                throw AlmanacError(.apiUnreachable, "bad socket path \(path)")
            }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard rc == 0 else {
                let e = String(cString: strerror(errno))
                close(fd)
                throw AlmanacError(
                    .apiUnreachable, "cannot reach the almanac daemon at \(path): \(e) (is `almanac daemon` running?)"
                )
            }
            setTimeout(fd)
            return fd
        case .tcp(let host, let port, _):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &addr.sin_addr)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard rc == 0 else {
                close(fd)
                throw AlmanacError(.apiUnreachable, "cannot reach the almanac daemon at \(host):\(port)")
            }
            setTimeout(fd)
            return fd
        }
    }

    private func setTimeout(_ fd: Int32) {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
