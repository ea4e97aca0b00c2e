import AlmanacCore
import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// `--health-listen` (what a Kubernetes probe reaches: `GET /v1/health` without a token, nothing
/// else) and `--listen` on every interface (`0.0.0.0:PORT`, the control API behind a Service).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct HealthListenerTests {
    /// The port the daemon logged for `key=ADDRESS:PORT` on a line containing `message`.
    static func loggedPort(_ h: DaemonHarness, _ message: String, _ key: String) throws -> UInt16 {
        var port: UInt16?
        try h.waitUntil("\(message) in the daemon log", timeout: 10) {
            let log = (try? String(contentsOfFile: h.logPath, encoding: .utf8)) ?? ""
            guard let line = log.split(separator: "\n").last(where: { $0.contains(message) }),
                let at = line.range(of: key)
            else { return false }
            port = UInt16(line[at.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return try #require(port)
    }

    @Test func theHealthListenerAnswersHealthAloneWithoutAToken() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let tokens = h.root + "/tokens"
        try "read rd-5c0e7a1b93f2d8464e7a\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        try h.start(arguments: [
            "--health-listen", "127.0.0.1:0", "--listen", "0.0.0.0:0", "--token-file", tokens, "--shard", "0/1",
        ])
        defer { h.stop() }
        try h.waitReady("alpha")
        let health = try Self.loggedPort(h, "health endpoint listening on TCP", "health_listen=127.0.0.1:")
        let probe = ControlClient(endpoint: .tcp(host: "127.0.0.1", port: health, token: nil), timeout: 10)
        let answer = try probe.request("GET", "/v1/health")
        #expect(answer.status == 200)
        let decoded = try Wire.decoder().decode(Health.self, from: Data(answer.body))
        #expect(decoded.ok && decoded.profiles == 1 && decoded.shard == 0 && decoded.shards == 1)
        for (method, path) in [("GET", "/v1/profiles"), ("GET", "/metrics"), ("POST", "/v1/reload"), ("GET", "/")] {
            let refused = try probe.request(method, path)
            #expect(refused.status == 404, "\(method) \(path)")
            let result = try Wire.decoder().decode(ActionResult.self, from: Data(refused.body))
            #expect(result.code == .apiNotFound && !String(decoding: refused.body, as: UTF8.self).contains("alpha"))
        }

        // --listen 0.0.0.0: on every interface (loopback included), tokens as always, and a warning.
        let api = try Self.loggedPort(h, "control API listening on TCP", "listen=0.0.0.0:")
        let anonymous = ControlClient(endpoint: .tcp(host: "127.0.0.1", port: api, token: nil), timeout: 10)
        #expect(try anonymous.request("GET", "/v1/health").status == 401)
        let reader = ControlClient(
            endpoint: .tcp(host: "127.0.0.1", port: api, token: "rd-5c0e7a1b93f2d8464e7a"), timeout: 10)
        #expect(try reader.request("GET", "/v1/profiles").status == 200)
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("control API on a non-loopback address: bearer tokens and answers travel unencrypted"))
        #expect(h.stop() == 0)
    }

    @Test func aListenAddressThatIsNotIPv4IsRefused() throws {
        let h = try DaemonHarness()
        for (option, spec) in [("--health-listen", "example.org:80"), ("--health-listen", "8080")] {
            let run = try h.cli(["daemon", "--profiles", h.profiles, "--state", h.state, option, spec])
            #expect(run.code == 1)
            #expect(
                run.err.contains(
                    "\(option) takes ADDRESS:PORT with an IPv4 address (127.0.0.1:8080, 0.0.0.0:8080), got \\\"\(spec)\\\""
                ), "\(run.err)")
        }
    }
}
