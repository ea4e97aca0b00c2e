import AlmanacCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the server does with one request: answer it, or drop the connection without answering.
public enum ServerAction: Sendable {
    case respond(FakeResponse)
    /// Resets the connection (RST) after reading the request: the client cannot know whether it
    /// was applied.
    case reset
}

/// A small HTTP/1.1 server on 127.0.0.1: one thread accepts, one thread per connection serves
/// keep-alive requests in order. Bodies need `Content-Length` (what libcurl sends); no TLS.
///
/// Thread-safety: the handler is called from connection threads concurrently.
public final class LoopbackHTTPServer: @unchecked Sendable {
    // @unchecked: `listenFD` and `running` are guarded by `lock`; threads only read them under it.
    public typealias Handler = @Sendable (FakeRequest) -> ServerAction

    private let handler: Handler
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var running = false
    private var clients: Set<Int32> = []
    /// The bound port (useful when started on port 0).
    public private(set) var port: Int = 0

    public init(handler: @escaping Handler) {
        self.handler = handler
    }

    /// Binds 127.0.0.1:`port` (0 picks a free one) and starts accepting. Throws when bind fails.
    public func start(port requested: Int) throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeServerError("socket() failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(requested).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let e = errno
            close(fd)
            throw FakeServerError("cannot listen on 127.0.0.1:\(requested): errno \(e)")
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        lock.withLock {
            listenFD = fd
            running = true
            port = Int(UInt16(bigEndian: actual.sin_port))
        }
        let t = Thread { [self] in acceptLoop(fd) }
        t.name = "fake-accept"
        t.start()
    }

    /// Stops accepting and closes open connections.
    public func stop() {
        let (fd, open) = lock.withLock { () -> (Int32, Set<Int32>) in
            running = false
            let f = listenFD
            listenFD = -1
            return (f, clients)
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        for c in open { shutdown(c, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                return
            }
            let ok = lock.withLock { () -> Bool in
                guard running else { return false }
                clients.insert(c)
                return true
            }
            guard ok else {
                close(c)
                return
            }
            var one: Int32 = 1
            setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let t = Thread { [self] in
                serve(c)
                lock.withLock { _ = clients.remove(c) }
                close(c)
            }
            t.name = "fake-conn"
            t.start()
        }
    }

    private func serve(_ fd: Int32) {
        var reader = SocketReader(fd: fd)
        while let request = reader.readRequest() {
            switch handler(request) {
            case .reset:
                var l = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
                return
            case .respond(let response):
                var head = "HTTP/1.1 \(response.status) \(FakeResponse.reason(response.status))\r\n"
                for (k, v) in response.headers { head += "\(k): \(v)\r\n" }
                head += "Content-Length: \(response.body.count)\r\n\r\n"
                guard writeAll(fd, Data(head.utf8)), writeAll(fd, response.body) else { return }
                if request.headers["connection"]?.lowercased() == "close" { return }
            }
        }
    }

    private func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    return false
                }
                off += n
            }
            return true
        }
    }
}

/// Reads HTTP/1.1 requests from a socket, buffering what comes after one request for the next.
struct SocketReader {
    let fd: Int32
    var buffer = Data()

    init(fd: Int32) { self.fd = fd }

    mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    mutating func readRequest() -> FakeRequest? {
        var scanned = 0
        var headEnd: Int?
        while true {
            headEnd = buffer.withUnsafeBytes { raw in
                ByteSearch.find(ByteSearch.blankLine, in: raw.bindMemory(to: UInt8.self), from: scanned, to: raw.count)
            }
            if headEnd != nil { break }
            scanned = max(0, buffer.count - 3)
            if buffer.count > 1 << 20 || !fill() { return nil }
        }
        let (requestLine, headers) = buffer.withUnsafeBytes { raw -> ([Substring], [String: String]) in
            let bytes = raw.bindMemory(to: UInt8.self)
            let eol = ByteSearch.find(ByteSearch.crlf, in: bytes, from: 0, to: headEnd! + 2) ?? headEnd!
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<eol]), as: UTF8.self)
            return (line.split(separator: " "), ByteSearch.headers(bytes, from: min(eol + 2, headEnd!), to: headEnd!))
        }
        guard requestLine.count >= 2 else { return nil }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count - bodyStart < length {
            if !fill() { return nil }
        }
        let body = buffer.subdata(in: bodyStart..<(bodyStart + length))
        buffer = buffer.count == bodyStart + length ? Data() : buffer.subdata(in: (bodyStart + length)..<buffer.count)
        let (path, query) = FakeRequest.split(target: String(requestLine[1]))
        return FakeRequest(method: String(requestLine[0]), path: path, query: query, headers: headers, body: body)
    }
}

public struct FakeServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
