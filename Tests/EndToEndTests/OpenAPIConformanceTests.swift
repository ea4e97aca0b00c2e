import AlmanacSupervisor
import AlmanacTestKit
import Foundation
import Testing

/// `docs/openapi.json` against a running daemon, over its TCP listener with an admin token: every
/// documented operation answers as documented (`contrib/conformance/openapi_check.py`), and a
/// property-based fuzz from the document (schemathesis, `openapi_fuzz.py`) finds no 5xx and no
/// answer the document does not describe. Needs the venv (`contrib/dev/pyenv .build/pyenv`).
@Suite(
    .serialized, .timeLimit(.minutes(10)),
    .enabled(if: OfficialClientVenv.enabled, Comment(rawValue: OfficialClientVenv.missing)))
struct OpenAPIConformanceTests {
    static let document = OfficialClientVenv.root.appendingPathComponent("docs/openapi.json").path
    /// Generated requests per operation, besides the examples and boundary cases: ~1,000 requests,
    /// about 10 s on an idle machine.
    static let maxExamples = 15
    /// Routes of the route table a build may not serve yet: when one answers 404 `api.not_found`
    /// ("no such endpoint"), it is left out; any other answer is checked. (The provisioning API is
    /// served now: none.)
    static let pending: Set<String> = []

    struct Daemon {
        var harness: DaemonHarness
        var base: String
        var port: UInt16
        /// A file holding the admin token alone (what the scripts read).
        var adminToken: String
    }

    /// A daemon with the profile `clinic` (three appointments to sync), listening on a free port.
    static func daemon() throws -> Daemon {
        let h = try DaemonHarness()
        try h.writeProfile("clinic")
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let rows = (1...3).map {
            "appt-\($0),Visit \($0),\(f.string(from: Date().addingTimeInterval(Double($0) * 86_400)))"
        }
        try ("external_id,title,start_time\n" + rows.joined(separator: "\n") + "\n")
            .write(toFile: h.root + "/clinic-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(
            toFile: h.root + "/clinic-out.csv", atomically: true, encoding: .utf8)
        let token = "oa-" + UUID().uuidString
        try "admin \(token)\nread rd-\(UUID().uuidString)\n".write(
            toFile: h.root + "/tokens", atomically: true, encoding: .utf8)
        try "\(token)\n".write(toFile: h.root + "/admin.token", atomically: true, encoding: .utf8)
        // The shipped templates, so the provisioning routes answer from real templates.
        let templates = OfficialClientVenv.root.appendingPathComponent("templates.d").path
        try h.start(arguments: [
            "--listen", "127.0.0.1:0", "--token-file", h.root + "/tokens", "--templates", templates,
        ])
        try h.waitReady("clinic")
        let port = try h.tcpPort()
        return Daemon(harness: h, base: "http://127.0.0.1:\(port)", port: port, adminToken: h.root + "/admin.token")
    }

    struct Line: Decodable {
        var id: String
        var operation: String
        var request: String
        var status: Int
        var served: Bool
        var ok: Bool
        var detail: String
    }

    @Test func everyDocumentedOperationAnswersAsDocumented() throws {
        let d = try Self.daemon()
        let run = try OfficialClientVenv.run(
            "openapi_check.py", [Self.document, d.base, d.adminToken, "clinic"])
        let lines = try String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
        #expect(run.status == 0, "\(run.stderr)")
        for l in lines where !l.ok { Issue.record("\(l.request) → \(l.status): \(l.detail)") }
        let served = Set(lines.filter(\.served).map(\.operation))
        for route in ControlRoutes.all where !Self.pending.contains(route.description) {
            #expect(served.contains(route.description), "\(route) was never served")
        }
        // The answers that only a working route gives.
        let answers = Dictionary(lines.map { ($0.request, $0.status) }, uniquingKeysWith: { a, _ in a })
        #expect(answers["GET /v1/profiles/clinic/logs?tail=3&follow=1"] == 200)
        #expect(answers["GET /v1/profiles/clinic/runs?limit=5"] == 200)
        #expect(answers["GET /v1/profiles/clinic/conflicts"] == 200)
        #expect(answers["GET /v1/profiles/clinic/conflicts?job=nosuch"] == 404)
        #expect(answers["POST /v1/profiles/clinic/test-connection"] == 200)
        #expect(lines.first { $0.request == "POST /v1/profiles/clinic/sync" }?.status == 200, "the waited sync")
        // The provisioning routes: a shipped template is read; the hand-written clinic is neither
        // created again nor rescheduled.
        #expect(answers["GET /v1/templates/csv-google"] == 200)
        #expect(lines.first { $0.id == "createProfile" }?.status == 409)
        #expect(answers["PUT /v1/profiles/clinic/schedule"] == 409)
        print(
            "openapi_check: \(lines.count) requests; not served by this build: \(Set(lines.filter { !$0.served }.map(\.operation)).sorted())"
        )
        d.harness.stop()
    }

    @Test func aFuzzFromTheDocumentFindsNoServerErrorAndNoUndocumentedAnswer() throws {
        let d = try Self.daemon()
        let excluded = try Self.unserved(d)
        let started = Date()
        let run = try OfficialClientVenv.run(
            "openapi_fuzz.py",
            [Self.document, d.base, d.adminToken, "--max-examples", String(Self.maxExamples)]
                + excluded.flatMap { ["--exclude-operation-id", $0] })
        let out = String(decoding: run.stdout, as: UTF8.self)
        #expect(run.status == 0, "schemathesis found a problem:\n\(out.suffix(8_000))\n\(run.stderr.suffix(2_000))")
        #expect(out.contains("passed"), "\(out.suffix(2_000))")
        print(
            "schemathesis: \(Int(Date().timeIntervalSince(started)))s, left out (not served): \(excluded); "
                + (out.split(separator: "\n").first { $0.contains("generated") }.map(String.init) ?? ""))
        // The daemon outlived it.
        let health = try d.harness.tcpClient(
            d.port,
            try String(contentsOfFile: d.adminToken, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        ).request("GET", "/v1/health")
        #expect(health.status == 200)
        d.harness.stop()
        let log = try String(contentsOfFile: d.harness.logPath, encoding: .utf8)
        #expect(!log.contains("Fatal error") && !log.contains("Program crashed"), "\(log.suffix(4_000))")
    }

    /// The operation ids of the pending routes this daemon answers 404 `api.not_found`.
    static func unserved(_ d: Daemon) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: document)))
        let paths = try #require((object as? [String: Any])?["paths"] as? [String: [String: Any]])
        let token = try String(contentsOfFile: d.adminToken, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        var ids: [String] = []
        for route in ControlRoutes.all where pending.contains(route.description) {
            let op = try #require(paths[route.pattern]?[route.method.lowercased()] as? [String: Any])
            let path = route.pattern.replacingOccurrences(of: "{name}", with: "nosuch0")
            let r = try d.harness.tcpClient(d.port, token).request(route.method, path, body: Array("{}".utf8))
            if r.status == 404, r.text.contains("\"code\":\"api.not_found\""), r.text.contains("no such") {
                ids.append(try #require(op["operationId"] as? String))
            }
        }
        return ids
    }
}
