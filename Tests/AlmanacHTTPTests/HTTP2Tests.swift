import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// The client speaks HTTP/2 where the server offers it (ALPN over TLS, as Google's and Cronofy's
/// endpoints do), HTTP/1.1 where it does not, and never turns TLS verification off: against a
/// loopback `nghttpd` with a throwaway self-signed certificate.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct HTTP2Tests {
    static let nghttpd = "/usr/sbin/nghttpd"
    static let requireServices = ProcessInfo.processInfo.environment["ALMANAC_REQUIRE_SERVICES"] == "1"

    /// Runs a command to completion; true when it exited 0.
    static func run(_ path: String, _ args: [String]) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// A free loopback port (bound, read back, released).
    static func freePort() throws -> Int {
        let server = try FakeServer(.google)
        defer { server.stop() }
        return server.port
    }

    @Test func http2OverTLSWhereOfferedAndVerificationStaysOn() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.nghttpd) else {
            if Self.requireServices { Issue.record("nghttpd (Debian package nghttp2-server) is not installed") }
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-h2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("key.pem").path
        let cert = dir.appendingPathComponent("cert.pem").path
        #expect(
            try Self.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                ]))
        try Data("hello over h2\n".utf8).write(to: dir.appendingPathComponent("hello.txt"))

        let port = try Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.nghttpd)
        server.arguments = ["--address=127.0.0.1", "--htdocs=" + dir.path, String(port), key, cert]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)  // nghttpd finishes its connections on SIGTERM
            server.waitUntilExit()
        }
        let url = "https://127.0.0.1:\(port)/hello.txt"
        let trusted = HTTPClient(options: TransportOptions(caFile: cert), retry: RetryPolicy(maxAttempts: 1))
        var answer: HTTPResponse?
        for _ in 0..<50 where answer == nil {  // until nghttpd listens
            answer = try? trusted.send(HTTPRequest(url: url))
            if answer == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let r = try #require(answer)
        #expect(r.status == 200)
        #expect(r.httpVersion == 2)
        #expect(String(decoding: r.body, as: UTF8.self) == "hello over h2\n")

        // Without the certificate among its trust anchors the client refuses the server.
        let strict = HTTPClient(retry: RetryPolicy(maxAttempts: 1))
        #expect(throws: AlmanacError.self) { try strict.send(HTTPRequest(url: url)) }

        // The loopback fakes speak plain HTTP/1.1: the same client falls back.
        let fake = try FakeServer(.google)
        defer { fake.stop() }
        let plain = try trusted.send(HTTPRequest(url: fake.baseURL + "/calendar/v3/users/me/calendarList"))
        #expect(plain.httpVersion == 1)
    }
}
