import AlmanacSupervisor
import AlmanacWire
import Foundation
import Testing

/// The control API and the CLI against a running daemon.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ControlAPITests {
    @Test func syncWaitReachesTheWorkerAndPrintsTheRunResult() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        // Three appointments in the default window (7 days back, 30 ahead), in UTC.
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let rows = (1...3).map { i in
            "appt-\(i),Visit \(i),\(f.string(from: Date().addingTimeInterval(Double(i) * 86_400)))"
        }
        try ("external_id,title,start_time\n" + rows.joined(separator: "\n") + "\n")
            .write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        // The csv connector never reads a missing file as empty: the export starts as a header.
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        try h.start()
        try h.waitReady("alpha")
        let r = try h.cli(["sync", "alpha", "--wait"])
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("alpha/main: success in"))
        #expect(r.out.contains("to: 3 created"))
        let written = try String(contentsOfFile: h.root + "/alpha-out.csv", encoding: .utf8)
        // Created rows carry deterministic ids (64 hex digits), not the source keys.
        let lines = written.split(separator: "\n").dropFirst()
        #expect(lines.count == 3, "\(written)")
        #expect(["Visit 1", "Visit 2", "Visit 3"].allSatisfy { t in lines.contains { $0.contains(",\(t),") } })
        #expect(lines.allSatisfy { $0.prefix(while: { $0 != "," }).count == 64 })
        // A second run finds nothing to do and says how much it checked.
        let again = try h.cli(["sync", "alpha", "--wait"])
        #expect(again.code == 0)
        #expect(again.out.contains("to: 3 unchanged; from: nothing"), "\(again.out)")

        let json = try h.cli(["status", "alpha", "--json"])
        #expect(json.code == 0)
        let s = try Wire.decoder().decode(ProfileStatus.self, from: Data(json.out.utf8))
        #expect(s.lastRun?.result == "success")
        #expect(s.lastRun?.job == "main")
        #expect(s.lastRun?.errorCode == nil)
        let all = try h.cli(["status", "--json"])
        let list = try Wire.decoder().decode(StatusList.self, from: Data(all.out.utf8))
        #expect(list.v == 1 && list.profiles.map(\.name) == ["alpha"])
        h.stop()
    }

    @Test func aSyncDuringARunIsQueued() throws {
        let h = try DaemonHarness()
        h.testWorker = true
        try h.writeProfile("alpha", extra: "# almanac-test: run-delay=1.5")
        try h.start()
        try h.waitReady("alpha")
        let first = try h.cli(["sync", "alpha"])
        #expect(first.out == "alpha: sync started\n")
        let second = try h.cli(["sync", "alpha"])
        #expect(second.out == "alpha: queued behind the running sync\n")
        #expect(try h.status("alpha")?.state == "syncing")
        h.stop()
    }

    @Test func unknownProfileAndUnreachableDaemonExitCodes() throws {
        let h = try DaemonHarness()
        h.testWorker = true
        try h.writeProfile("alpha", extra: "# almanac-test: exit=78")
        try h.start()
        try h.waitUntil("alpha invalid", timeout: 5) { try h.status("alpha")?.state == "invalid" }
        #expect(try h.cli(["sync", "nosuch"]).code == 1)
        let notRunning = try h.cli(["sync", "alpha"])
        #expect(notRunning.code == 3)
        #expect(notRunning.err.contains("alpha is not running (state invalid)"))
        #expect(try h.cli(["status", "alpha"]).code == 3)
        h.stop()
        let down = try h.cli(["status"])
        #expect(down.code == 69)
        #expect(down.err.contains("cannot reach the almanac daemon"))
    }

    @Test func socketIsNotUsableByOtherUsersAndASecondDaemonRefusesToStart() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        var st = stat()
        #expect(stat(h.runtime + "/almanac.sock", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o660)
        #expect(st.st_mode & S_IFMT == S_IFSOCK)
        #expect(stat(h.runtime, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o750)

        let second = try h.cli(["daemon", "--profiles", h.profiles, "--state", h.state])
        #expect(second.code == 1)
        #expect(second.err.contains("another almanac daemon is running"))
        #expect((try? h.client().request("GET", "/v1/health"))?.status == 200)
        h.stop()
    }

    @Test func tcpListenerRefusesRequestsWithoutTheToken() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let tokenFile = h.root + "/token"
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try h.start(arguments: ["--listen", "127.0.0.1:0", "--token-file", tokenFile])
        try h.waitReady("alpha")
        let port = try h.tcpPort()
        let none = try ControlClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: nil)).request(
            "GET", "/v1/profiles")
        #expect(none.status == 401)
        #expect(!none.text.contains("alpha"))
        let wrong = try ControlClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: "s3cret-tokeX")).request(
            "GET", "/v1/profiles")
        #expect(wrong.status == 401)
        let good = try ControlClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: "s3cret-token")).request(
            "GET", "/v1/profiles")
        #expect(good.status == 200)
        #expect(good.text.contains("\"name\":\"alpha\""))
        let cli = try h.cli(
            ["status", "--url", "http://127.0.0.1:\(port)", "--token-file", tokenFile], runtimeOption: false)
        #expect(cli.code == 0 && cli.out.contains("alpha"))
        h.stop()
    }

    /// A sync request whose body cannot be framed (a malformed chunk) is refused with 400 and
    /// starts nothing; the same request properly chunked is accepted.
    @Test func aRequestThatCannotBeFramedStartsNoSync() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        try h.waitReady("alpha")
        let head = "POST /v1/profiles/alpha/sync HTTP/1.1\r\nHost: almanac\r\nTransfer-Encoding: chunked\r\n\r\n"
        let bad = try Self.raw(h.runtime + "/almanac.sock", head + "zz\r\n{}\r\n0\r\n\r\n")
        #expect(bad.hasPrefix("HTTP/1.1 400 "), "\(bad)")
        #expect(bad.contains("\"code\":\"api.bad_request\",\"message\":\"malformed chunk size line\""))
        Thread.sleep(forTimeInterval: 1)
        let history = try h.cli(["history", "alpha", "--json"])
        #expect(history.code == 0)
        #expect(!history.out.contains("\"run_id\""), "a run started: \(history.out)")
        let good = try Self.raw(h.runtime + "/almanac.sock", head + "2\r\n{}\r\n0\r\n\r\n")
        #expect(good.hasPrefix("HTTP/1.1 202 "), "\(good)")
        // The history shows that run: the check above would have seen one.
        try h.waitUntil("the accepted sync is in the history", timeout: 20) {
            (try? h.cli(["history", "alpha", "--json"]).out.contains("\"run_id\"")) == true
        }
        h.stop()
    }

    /// Sends `text` as is over the unix socket `path` and returns the whole answer.
    static func raw(_ path: String, _ text: String) throws -> String {
        let fd = try unixSocket(path, type: SOCK_STREAM, bind: false)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        try #require(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func healthMetricsLogsRestartAndReload() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start()
        let pid = try h.waitReady("alpha")
        let health = try h.client().request("GET", "/v1/health")
        #expect(health.status == 200 && health.text.contains("\"ok\":true"))
        let metrics = try h.client().request("GET", "/metrics").text
        #expect(metrics.contains("# TYPE almanac_profile_state gauge"))
        #expect(metrics.contains("almanac_profile_restarts_total{profile=\"alpha\"} 0"))
        #expect(metrics.contains("almanac_log_lines_dropped_total{profile=\"alpha\"} 0"))

        let logs = try h.cli(["logs", "alpha", "--tail", "50"])
        #expect(logs.code == 0)
        #expect(logs.out.contains("msg=\"worker ready\""))
        #expect(logs.out.contains("profile=alpha pid=\(pid) level=info msg=ready"))
        for bad in ["-1", "x", ""] {
            let refused = try h.client().request("GET", "/v1/profiles/alpha/logs?tail=\(bad)")
            #expect(refused.status == 400, "tail=\(bad)")
            #expect(String(decoding: refused.body, as: UTF8.self).contains("tail takes a whole number ≥ 0"))
        }

        #expect(try h.cli(["restart", "alpha"]).code == 0)
        try h.waitReady("alpha", notPID: pid)

        // A file written while inotify is bypassed (a reload picks it up at once).
        try h.writeProfile("beta")
        let reload = try h.cli(["reload"])
        #expect(reload.code == 0)
        try h.waitReady("beta", timeout: 3)
        let tc = try h.cli(["test-connection", "alpha"])
        #expect(tc.code == 1)
        #expect(tc.out.contains("src: FAILED"))
        h.stop()
    }
}
