import AlmanacCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Accepts the one browser redirect of an authorization on 127.0.0.1 (a free port) and returns
/// its query parameters, answering the browser with a short page.
public final class LoopbackRedirectReceiver {
    private let fd: Int32
    public let port: Int

    /// Throws `oauth.listen_failed` when no loopback port can be bound.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok =
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            } == 0 && listen(fd, 4) == 0
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard fd >= 0, ok else {
            port = 0  // deinit closes the socket
            throw AlmanacError(.oauthListenFailed, "cannot listen on 127.0.0.1 for the authorization redirect")
        }
        port = Int(UInt16(bigEndian: bound.sin_port))
    }

    deinit { close(fd) }

    /// Waits for a `GET /?…` request and returns its decoded query. Requests without a query
    /// (a browser's favicon) are answered 404 and skipped. Throws `oauth.timeout`.
    public func waitForRedirect(timeout: TimeInterval) throws -> [String: String] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard left > 0, poll(&pfd, 1, left) > 0 else {
                throw AlmanacError(
                    .oauthTimeout, "no authorization arrived within \(Int(timeout)) s; run `almanac auth` again")
            }
            let c = accept(fd, nil, nil)
            guard c >= 0 else { continue }
            defer { close(c) }
            var buffer = [UInt8](repeating: 0, count: 16_384)
            let n = recv(c, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let line = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\r\n").first ?? ""
            let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            guard let q = target.firstIndex(of: "?") else {
                respond(c, 404, "Not found")
                continue
            }
            var out: [String: String] = [:]
            for pair in target[target.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map {
                    $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                if kv.count == 2 { out[kv[0]] = kv[1] }
            }
            respond(c, 200, "almanac received the authorization. You can close this window.")
            return out
        }
    }

    private func respond(_ c: Int32, _ status: Int, _ text: String) {
        let body = "<!doctype html><title>almanac</title><p>\(text)</p>"
        let head =
            "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Not Found")\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array((head + body).utf8)
        _ = bytes.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
