import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

extension DaemonHarness {
    /// The port of the TCP listener, from the daemon's `control API listening on TCP` line (for
    /// `--listen 127.0.0.1:0`).
    func tcpPort() throws -> UInt16 {
        var port: UInt16?
        try waitUntil("the TCP listener's port in the daemon log", timeout: 10) {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            guard let line = log.split(separator: "\n").last(where: { $0.contains("listening on TCP") }),
                let at = line.range(of: "listen=127.0.0.1:")
            else { return false }
            port = UInt16(line[at.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return try #require(port)
    }

    func tcpClient(_ port: UInt16, _ token: String?) -> ControlClient {
        ControlClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token), timeout: 10)
    }
}

/// Access control on the TCP listener, against a running daemon: each role may do what the
/// route table says and gets 403 beyond it, an unknown token gets 401, and no token — good or
/// bad — reaches a response or a log.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct AccessControlEndToEndTests {
    static let tokens = [
        "read": "rd-7f3a91c2e4b8d6055a1c", "operate": "op-28be4d90c17a3f6e9b02", "admin": "ad-c4e19a7b3f2d8065e1d7",
    ]
    /// Tokens that must be refused; none may be echoed or logged either.
    static let wrong = ["ad-c4e19a7b3f2d8065e1d8", "ad-c4e19a7b3f2d8065e1d", "zz-wrong-token-5e61a0"]

    @Test func rolesAllowAndRefuseAndNoTokenIsEverShown() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        let file = h.root + "/tokens"
        try """
        # roles of the control API's TCP listener
        read \(Self.tokens["read"]!)
        operate   \(Self.tokens["operate"]!)

        admin\t\(Self.tokens["admin"]!)

        """.write(toFile: file, atomically: true, encoding: .utf8)
        try h.start(arguments: ["--listen", "127.0.0.1:0", "--token-file", file])
        try h.waitReady("alpha")
        let port = try h.tcpPort()
        var answers: [String] = []
        func call(_ token: String?, _ method: String, _ path: String, body: String = "") throws -> (Int, String) {
            let r = try h.tcpClient(port, token).request(method, path, body: Array(body.utf8))
            answers.append(r.text)
            let code = (try? Wire.decoder().decode(ActionResult.self, from: Data(r.body)))?.code?.rawValue ?? ""
            return (r.status, code)
        }

        // No token, an unknown one, another scheme: 401 everywhere but the console's files.
        for token in [nil] + Self.wrong {
            for (method, path) in [
                ("GET", "/v1/profiles"), ("GET", "/metrics"), ("GET", "/v1/me"), ("POST", "/v1/profiles/alpha/sync"),
                ("GET", "/v1/nosuch"), ("DELETE", "/v1/profiles/alpha"),
            ] {
                #expect(try call(token, method, path) == (401, "api.unauthorized"), "\(method) \(path)")
            }
        }
        #expect(!answers.contains { $0.contains("alpha\"") }, "a refused request saw a profile")
        // The console's page needs no token.
        #expect(try call(nil, "GET", "/").0 == 200)

        for (role, token) in Self.tokens {
            let me = try h.tcpClient(port, token).request("GET", "/v1/me")
            #expect(me.status == 200 && me.text == "{\"role\":\"\(role)\"}", "\(me.text)")
            answers.append(me.text)
            #expect(try call(token, "GET", "/v1/profiles/alpha").0 == 200)
            #expect(try call(token, "GET", "/metrics").0 == 200)
            #expect(try call(token, "GET", "/v1/profiles/alpha/logs?tail=5").0 == 200)
            #expect(try call(token, "GET", "/v1/nosuch") == (404, "api.not_found"))
        }
        let read = Self.tokens["read"]!, operate = Self.tokens["operate"]!, admin = Self.tokens["admin"]!
        for (method, path) in [
            ("POST", "/v1/profiles/alpha/sync"), ("POST", "/v1/profiles/alpha/restart"),
            ("POST", "/v1/profiles/alpha/disable"), ("POST", "/v1/profiles/alpha/enable"),
            ("POST", "/v1/profiles/alpha/test-connection"), ("POST", "/v1/reload"),
            ("POST", "/v1/profiles/alpha/nosuch"),
        ] {
            #expect(try call(read, method, path) == (403, "api.forbidden"), "read: \(method) \(path)")
        }
        for (method, path) in [
            ("POST", "/v1/profiles"), ("PUT", "/v1/profiles/alpha/schedule"), ("POST", "/v1/profiles/alpha/disconnect"),
            ("DELETE", "/v1/profiles/alpha"), ("PATCH", "/v1/profiles/alpha"),
        ] {
            #expect(try call(read, method, path) == (403, "api.forbidden"), "read: \(method) \(path)")
            #expect(try call(operate, method, path) == (403, "api.forbidden"), "operate: \(method) \(path)")
            // Admin is let through; on a profile that does not exist, so nothing is disconnected or deleted.
            let allowed = try call(admin, method, path.replacingOccurrences(of: "alpha", with: "nosuch0")).0
            #expect(allowed != 401 && allowed != 403, "admin: \(method) \(path)")
        }
        // The refused requests did nothing: no run yet, still enabled.
        let before = try #require(try h.status("alpha"))
        #expect(before.lastRun == nil && before.enabled)

        // operate can sync; the run shows up.
        #expect(try call(operate, "POST", "/v1/profiles/alpha/sync", body: "{}").0 == 202)
        try h.waitUntil("the operate token's sync ran", timeout: 20) { try h.status("alpha")?.lastRun != nil }
        #expect(try call(operate, "POST", "/v1/reload").0 == 200)
        #expect(try call(operate, "POST", "/v1/profiles/alpha/disable").0 == 200)
        #expect(try h.status("alpha")?.enabled == false)
        try h.waitUntil("alpha disabled", timeout: 10) { try h.status("alpha")?.state == "disabled" }
        #expect(try call(admin, "POST", "/v1/profiles/alpha/enable").0 == 200)
        try h.waitReady("alpha")

        // The unix socket keeps its file-permission model: everyone there is admin.
        let unix = try h.client().request("GET", "/v1/me")
        #expect(unix.text == "{\"role\":\"admin\"}")

        // The CLI's --url client reads one bare token from its --token-file.
        let readFile = h.root + "/read.token"
        try (read + "\n").write(toFile: readFile, atomically: true, encoding: .utf8)
        let url = ["--url", "http://127.0.0.1:\(port)", "--token-file", readFile]
        let status = try h.cli(["status"] + url, runtimeOption: false)
        #expect(status.code == 0 && status.out.contains("alpha"), "\(status.err)")
        let sync = try h.cli(["sync", "alpha"] + url, runtimeOption: false)
        #expect(sync.code == 1)
        #expect(
            sync.err.contains("a read token may not POST /v1/profiles/alpha/sync: that needs operate"), "\(sync.err)")
        answers += [status.out, status.err, sync.out, sync.err]
        h.stop()

        // No token appears in any answer, the daemon's output or a profile's log file.
        var logs = [(h.logPath, try String(contentsOfFile: h.logPath, encoding: .utf8))]
        let logDir = h.state + "/logs"
        for f in try FileManager.default.contentsOfDirectory(atPath: logDir) {
            logs.append((f, try String(contentsOfFile: logDir + "/" + f, encoding: .utf8)))
        }
        #expect(logs[0].1.contains("tokens=\"admin 1, operate 1, read 1\""), "\(logs[0].1.suffix(2_000))")
        for secret in Array(Self.tokens.values) + Self.wrong {
            for (name, text) in logs { #expect(!text.contains(secret), "\(name) shows a token") }
            for (i, text) in answers.enumerated() { #expect(!text.contains(secret), "answer \(i) shows a token") }
            // Nor a good part of one.
            for (name, text) in logs { #expect(!text.contains(secret.suffix(12)), "\(name) shows part of a token") }
        }
    }

    /// A malformed tokens file stops the daemon before it serves: the error names the file and
    /// the line, never a token.
    @Test func aMalformedTokensFileRefusesToStart() throws {
        let h = try DaemonHarness()
        let file = h.root + "/tokens"
        try "read rd-7f3a91c2e4b8d6055a1c\nop-28be4d90c17a3f6e9b02 operate\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let r = try h.cli(
            ["daemon", "--profiles", h.profiles, "--state", h.state, "--listen", "127.0.0.1:0", "--token-file", file])
        #expect(r.code == 1)
        #expect(r.err.contains("\(file) line 2: the role must be read, operate or admin"), "\(r.err)")
        #expect(r.err.contains("error.code=api.token_missing"), "\(r.err)")
        #expect(!r.err.contains("7f3a91c2") && !r.err.contains("28be4d90"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: h.runtime + "/almanac.sock"))
    }
}
