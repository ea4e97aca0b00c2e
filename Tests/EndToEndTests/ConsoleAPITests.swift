import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// What the web console needs from the daemon, below the browser: its files without a token and
/// with a content-security policy, the fleet's paging query, and the log tail as server-sent events.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ConsoleAPITests {
    /// Two runnable profiles and one whose file is broken (`invalid`: failing).
    static func fleet() throws -> DaemonHarness {
        let h = try DaemonHarness()
        for name in ["alpha", "beta"] {
            try h.writeProfile(name)
            try "external_id,title,start_time\n".write(
                toFile: h.root + "/\(name)-out.csv", atomically: true, encoding: .utf8)
        }
        try h.write("zeta.toml", "timezone = \"UTC\"\n[schedule\n")
        return h
    }

    @Test func consoleFilesNeedNoTokenAndForbidInlineScripts() throws {
        let h = try Self.fleet()
        let tokenFile = h.root + "/token"
        try "console-test-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try h.start(arguments: ["--listen", "127.0.0.1:0", "--token-file", tokenFile])
        defer { h.stop() }
        let port = try h.tcpPort()
        func get(_ path: String, method: String = "GET") throws -> (head: String, body: String) {
            let answer = try Self.raw(.tcp(port), "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            let parts = answer.components(separatedBy: "\r\n\r\n")
            return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
        }
        let page = try get("/")
        #expect(page.head.hasPrefix("HTTP/1.1 200 "), "\(page.head)")
        #expect(page.head.contains("Content-Type: text/html; charset=utf-8"))
        #expect(
            page.head.contains(
                "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"))
        #expect(page.head.contains("X-Content-Type-Options: nosniff"))
        #expect(page.body.contains("<script src=\"/console/app.js\" defer></script>"))
        #expect(!page.body.contains("<script>") && !page.body.contains("http://") && !page.body.contains("https://"))
        for file in ["app.js", "client.js", "chart.js", "fleet.js", "detail.js", "console.css", "index.html"] {
            let asset = try get("/console/" + file)
            #expect(asset.head.hasPrefix("HTTP/1.1 200 "), "\(file): \(asset.head)")
            #expect(
                asset.head.contains(
                    file.hasSuffix(".js") ? "text/javascript" : file.hasSuffix(".css") ? "text/css" : "text/html"))
            let source = try String(
                contentsOf: BinaryRunner.packageRoot.appendingPathComponent(
                    "Sources/AlmanacSupervisor/Console/" + file),
                encoding: .utf8)
            #expect(asset.body == source, "\(file) served is not the file in the repository")
            // Data reaches the page as text only.
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!source.contains(sink), "\(file) uses \(sink)")
            }
        }
        #expect(try get("/console/nope.js").head.hasPrefix("HTTP/1.1 404 "))
        // Only GET of a plain file name is public; anything else needs the token like the API.
        #expect(try get("/console/../v1/profiles").head.hasPrefix("HTTP/1.1 401 "))
        #expect(try get("/", method: "POST").head.hasPrefix("HTTP/1.1 401 "))
        // Everything else still needs the token.
        for path in ["/v1/profiles", "/v1/health", "/metrics", "/v1/profiles/alpha/logs?follow=1"] {
            let refused = try get(path)
            #expect(refused.head.hasPrefix("HTTP/1.1 401 "), "\(path): \(refused.head)")
            #expect(!refused.body.contains("alpha"))
        }
    }

    @Test func fleetQueryPagesFailingFirstAndThePlainListStaysAsItWas() throws {
        let h = try Self.fleet()
        try h.start()
        defer { h.stop() }
        try h.waitReady("alpha")
        try h.waitReady("beta")
        try h.waitUntil("zeta invalid", timeout: 10) { try h.status("zeta")?.state == "invalid" }
        let plain = try h.client().request("GET", "/v1/profiles")
        #expect(plain.status == 200)
        for key in ["\"total\"", "\"failing\"", "\"offset\"", "\"limit\""] { #expect(!plain.text.contains(key)) }
        #expect(
            try Wire.decoder().decode(StatusList.self, from: Data(plain.body)).profiles.map(\.name) == [
                "alpha", "beta", "zeta",
            ])

        func page(_ query: String) throws -> StatusList {
            let r = try h.client().request("GET", "/v1/profiles?" + query)
            #expect(r.status == 200, "\(query): \(r.text)")
            return try Wire.decoder().decode(StatusList.self, from: Data(r.body))
        }
        let first = try page("limit=2")
        #expect(first.profiles.map(\.name) == ["zeta", "alpha"])
        #expect(first.total == 3 && first.failing == 1 && first.offset == 0 && first.limit == 2)
        #expect(try page("limit=2&offset=2").profiles.map(\.name) == ["beta"])
        #expect(try page("offset=5").profiles.isEmpty)
        #expect(try page("q=ALP").profiles.map(\.name) == ["alpha"])
        let failing = try page("state=failing")
        #expect(failing.profiles.map(\.name) == ["zeta"] && failing.total == 1 && failing.failing == 1)
        #expect(try page("state=invalid,idle,ready").total == 3)
        #expect(try page("q=et&state=invalid").profiles.map(\.name) == ["zeta"])
        for bad in ["state=bogus", "limit=0", "limit=1001", "offset=-1", "offset=x"] {
            let r = try h.client().request("GET", "/v1/profiles?" + bad)
            #expect(r.status == 400, "\(bad): \(r.status)")
            #expect(r.text.contains("\"code\":\"api.bad_request\""), "\(bad): \(r.text)")
        }
    }

    @Test func logFollowAnswersServerSentEventsWhenAskedForThem() throws {
        let h = try Self.fleet()
        try h.start()
        defer { h.stop() }
        try h.waitReady("alpha")
        let request = "GET /v1/profiles/alpha/logs?follow=1&tail=5 HTTP/1.1\r\nHost: x\r\n"
        let events = try Self.raw(.unix(h.runtime + "/almanac.sock"), request + "Accept: text/event-stream\r\n\r\n")
        let parts = events.components(separatedBy: "\r\n\r\n")
        #expect(parts[0].hasPrefix("HTTP/1.1 200 ") && parts[0].contains("Content-Type: text/event-stream"))
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        let frames = body.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(!frames.isEmpty, "\(body)")
        for frame in frames {
            #expect(frame.hasPrefix("data: {") && !frame.dropFirst().contains("\n"), "\(frame)")
            let line = try Wire.decoder().decode(LogLine.self, from: Data(frame.dropFirst(6).utf8))
            #expect(line.line.contains("alpha") || line.line.contains("profile="), "\(line.line)")
        }
        #expect(frames.contains { $0.contains("ready") }, "\(body)")
        // Without the Accept header: the plain stream, one log line per line.
        let plain = try Self.raw(.unix(h.runtime + "/almanac.sock"), request + "\r\n")
        #expect(plain.contains("Content-Type: text/plain; charset=utf-8") && !plain.contains("data: "))
    }

    enum Endpoint {
        case unix(String)
        case tcp(UInt16)
    }

    /// Sends `text` and reads the answer until the server closes or 2 s pass without a byte (a
    /// followed log never closes).
    static func raw(_ endpoint: Endpoint, _ text: String) throws -> String {
        let fd: Int32
        switch endpoint {
        case .unix(let path): fd = try unixSocket(path, type: SOCK_STREAM, bind: false)
        case .tcp(let port):
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(rc == 0, "cannot connect to 127.0.0.1:\(port)")
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        try #require(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
