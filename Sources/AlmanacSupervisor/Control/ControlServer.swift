import AlmanacCore
import Foundation
import Glibc

/// The control API's listeners and a small poll-based HTTP/1.1 server on a thread of its own.
///
/// The unix socket `RUNTIME/almanac.sock` is created mode 0660 inside the 0750 runtime directory,
/// after taking an exclusive `flock` on `RUNTIME/almanac.lock`, so a second daemon refuses to
/// start instead of stealing a live socket; the socket is unlinked on shutdown. With `--listen`,
/// a TCP listener (loopback, or any IPv4 address) answers only requests carrying
/// `Authorization: Bearer <token>` of a token of the tokens file whose role allows the route
/// (`AccessGate`). With `--health-listen`, a TCP listener answers `GET /v1/health` without a token
/// and 404 to anything else: what a Kubernetes probe reaches.
/// One request per connection (`Connection: close`); handlers that wait run on their own thread.
// @unchecked Sendable: the descriptors are fixed after `open`; the thread is stopped through the wake pipe.
public final class ControlServer: @unchecked Sendable {
    struct Listener {
        var fd: Int32
        var needsToken: Bool
        /// `--health-listen`: `GET /v1/health` only, no token.
        var healthOnly = false
    }

    private let listeners: [Listener]
    private let gate: AccessGate
    private let lockFD: Int32
    private let socketPath: String
    private let log: LogSink
    private var wake: [Int32] = [0, 0]
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    private init(listeners: [Listener], tokens: AccessTokens?, lockFD: Int32, socketPath: String, log: LogSink) {
        self.listeners = listeners
        self.gate = AccessGate(tokens: tokens)
        self.lockFD = lockFD
        self.socketPath = socketPath
        self.log = log
        _ = pipe(&wake)
        wake.forEach(makeNonBlockingCloexec)
    }

    /// Takes the lock and binds the listeners.
    /// - Throws: `AlmanacError` `supervisor.already_running`, `api.bind_failed`, `api.token_missing`.
    public static func open(config: SupervisorConfig, log: LogSink) throws -> ControlServer {
        let lockFD = Glibc.open(config.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            throw AlmanacError(
                .supervisorSetupFailed, "cannot open \(config.lockPath): \(String(cString: strerror(errno)))",
                cause: SystemError(errno: errno))
        }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFD)
            throw AlmanacError(
                .supervisorAlreadyRunning,
                "another almanac daemon is running with runtime directory \(config.runtimeDirectory)")
        }
        var listeners: [Listener] = []
        var tokens: AccessTokens?
        do {
            listeners.append(Listener(fd: try bindUnix(config.socketPath), needsToken: false))
            if let listen = config.listen {
                guard let file = config.tokenFile else {
                    throw AlmanacError(
                        .apiTokenMissing,
                        "--listen needs --token-file with the tokens (a file only the daemon's user can read)")
                }
                tokens = try AccessTokens.load(path: file)
                let (fd, host) = try bindTCP(listen, option: "--listen")
                listeners.append(Listener(fd: fd, needsToken: true))
                log.log(
                    "info", "control API listening on TCP",
                    ["listen": "\(host):\(boundPort(fd))", "tokens": tokens?.summary ?? ""])
                if host != "127.0.0.1" {
                    log.log(
                        "warning",
                        "control API on a non-loopback address: bearer tokens and answers travel unencrypted; "
                            + "keep it on a private network (a pod network) or put TLS in front",
                        ["listen": listen])
                }
            }
            if let health = config.healthListen {
                let (fd, host) = try bindTCP(health, option: "--health-listen")
                listeners.append(Listener(fd: fd, needsToken: false, healthOnly: true))
                log.log("info", "health endpoint listening on TCP", ["health_listen": "\(host):\(boundPort(fd))"])
            }
        } catch {
            for l in listeners { close(l.fd) }
            unlink(config.socketPath)
            close(lockFD)
            throw error
        }
        return ControlServer(
            listeners: listeners, tokens: tokens, lockFD: lockFD, socketPath: config.socketPath, log: log)
    }

    /// Starts the server thread; `handler` is called on it for every request.
    public func start(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        let t = Thread { [self] in
            self.serve(handler)
            self.done.signal()
        }
        t.name = "almanac-control"
        t.start()
        thread = t
    }

    /// Stops serving, closes the listeners, removes the socket and releases the lock.
    public func shutdown() {
        var b: UInt8 = 1
        _ = write(wake[1], &b, 1)
        if thread != nil { done.wait() }
        for l in listeners { close(l.fd) }
        unlink(socketPath)
        close(lockFD)
    }

    private struct Connection {
        var fd: Int32
        var needsToken: Bool
        var healthOnly: Bool
        var buffer: [UInt8] = []
        var openedAt: Double
    }

    private func serve(_ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        var connections: [Int32: Connection] = [:]
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            var fds = [pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
            fds += listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            fds += connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // Each second while a connection is open (to drop one that never finishes its
            // request); with none, sleep until a client or the wake pipe: an idle daemon stays asleep.
            _ = poll(&fds, nfds_t(fds.count), connections.isEmpty ? -1 : 1_000)
            if fds[0].revents != 0 { break }
            for (i, l) in listeners.enumerated() where fds[i + 1].revents != 0 {
                while true {
                    let fd = accept(l.fd, nil, nil)
                    if fd < 0 { break }
                    makeNonBlockingCloexec(fd)
                    connections[fd] = Connection(
                        fd: fd, needsToken: l.needsToken, healthOnly: l.healthOnly, openedAt: monotonicSeconds())
                }
            }
            let now = monotonicSeconds()
            for p in fds.dropFirst(1 + listeners.count) {
                guard var c = connections[p.fd] else { continue }
                if p.revents == 0 {
                    if now - c.openedAt > 10 {  // a client that never finishes its request
                        close(c.fd)
                        connections[p.fd] = nil
                    }
                    continue
                }
                let n = read(c.fd, &buf, buf.count)
                if n <= 0 {
                    if n < 0 && errno == EAGAIN { continue }
                    close(c.fd)
                    connections[p.fd] = nil
                    continue
                }
                c.buffer += buf[0..<n]
                let parsed: (HTTPRequest, consumed: Int)?
                do {
                    parsed = try HTTPRequest.parse(c.buffer)
                } catch {
                    let refused = error as? HTTPRequest.Malformed ?? HTTPRequest.Malformed("malformed HTTP request")
                    var body = Array("{\"ok\":false,\"code\":\"\(ErrorCode.apiBadRequest)\",\"message\":".utf8)
                    JSONString.append(refused.message, to: &body)
                    body.append(UInt8(ascii: "}"))
                    respond(c.fd, .json(refused.status, body))
                    connections[p.fd] = nil
                    continue
                }
                guard var request = parsed?.0 else {
                    connections[p.fd] = c
                    continue
                }
                connections[p.fd] = nil
                if c.healthOnly {
                    request.role = .read
                    let health = request.method == "GET" && request.path == "/v1/health"
                    respond(c.fd, health ? handler(request) : Self.healthOnlyRefusal)
                    continue
                }
                if let refusal = gate.admit(&request, tcp: c.needsToken) {
                    respond(c.fd, refusal)
                    continue
                }
                if let asset = ConsoleAssets.response(for: request) {  // the console's static files
                    respond(c.fd, asset)
                    continue
                }
                respond(c.fd, handler(request))
            }
        }
        for fd in connections.keys { close(fd) }
    }

    /// Writes a full response and closes, or hands the connection to a thread for a deferred one.
    private func respond(_ fd: Int32, _ response: HTTPResponse) {
        switch response {
        case .full(let status, let type, let body):
            writeAll(fd, HTTPResponse.head(status: status, contentType: type, length: body.count) + body)
            close(fd)
        case .deferred(let produce):
            let t = Thread {
                let (status, type, stream) = produce()
                guard writeAll(fd, HTTPResponse.head(status: status, contentType: type, length: nil)) else {
                    close(fd)
                    return
                }
                stream { chunk in writeAll(fd, Array(chunk.utf8)) }
                close(fd)
            }
            t.start()
        }
    }

    private static func bindUnix(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else {
            throw AlmanacError(.apiBindFailed, "cannot create a unix socket", cause: SystemError(errno: errno))
        }
        unlink(path)  // we hold the lock: a socket file left here belongs to a dead daemon
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw AlmanacError(.apiBindFailed, "socket path too long (max 107 bytes): \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let old = umask(0o117)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(old)
        guard rc == 0 else {
            let (e, code) = (String(cString: strerror(errno)), errno)
            close(fd)
            throw AlmanacError(.apiBindFailed, "cannot bind \(path): \(e)", cause: SystemError(errno: code))
        }
        chmod(path, 0o660)
        guard listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw AlmanacError(.apiBindFailed, "cannot listen on \(path)", cause: SystemError(errno: code))
        }
        return fd
    }

    /// The port a bound TCP socket listens on (what `--listen 127.0.0.1:0` was given).
    private static func boundPort(_ fd: Int32) -> UInt16 {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// What the `--health-listen` listener answers to anything but `GET /v1/health`.
    private static let healthOnlyRefusal = HTTPResponse.json(
        404,
        Array(
            #"{"v":1,"ok":false,"code":"\#(ErrorCode.apiNotFound)","message":"this listener (--health-listen) serves GET /v1/health only"}"#
                .utf8))

    /// `ADDRESS:PORT`, ADDRESS an IPv4 address (`127.0.0.1`, `localhost`; `0.0.0.0`: every
    /// interface); port 0: one the system picks, logged at start. Returns the socket and ADDRESS.
    private static func bindTCP(_ spec: String, option: String) throws -> (Int32, String) {
        let parts = spec.split(separator: ":")
        var address = in_addr()
        let host = parts.first.map { $0 == "localhost" ? "127.0.0.1" : String($0) } ?? ""
        guard parts.count == 2, let port = UInt16(parts[1]), inet_pton(AF_INET, host, &address) == 1 else {
            throw AlmanacError(
                .apiBindFailed,
                "\(option) takes ADDRESS:PORT with an IPv4 address (127.0.0.1:8080, 0.0.0.0:8080), got \"\(spec)\"")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else {
            throw AlmanacError(.apiBindFailed, "cannot create a TCP socket", cause: SystemError(errno: errno))
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr = address
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0, listen(fd, 128) == 0 else {
            let (e, code) = (String(cString: strerror(errno)), errno)
            close(fd)
            throw AlmanacError(.apiBindFailed, "cannot listen on \(spec): \(e)", cause: SystemError(errno: code))
        }
        return (fd, host)
    }
}
