import Foundation
import Testing

/// Notifications end to end with the built binary (README "Notifications"): a real SMTP server
/// (aiosmtpd) and a webhook receiver on loopback that checks the signature in Python, and a
/// command that appends its stdin to a file.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct NotifyEndToEndTests {
    /// A daemon, a receiver, planted secrets and a `[notify]` table naming all three channels.
    final class Setup {
        let h: DaemonHarness
        let receiver: NotifyReceiver
        let webhookSecret = "whsec-PLANTED-\(UUID().uuidString)"
        let smtpPassword = "smtppw-PLANTED-\(UUID().uuidString)"
        var commandOutput: String { h.root + "/command.ndjson" }

        init(webhookFailFirst: Int = 0, testWorker: Bool = false) throws {
            h = try DaemonHarness()
            h.testWorker = testWorker
            try Data(webhookSecret.utf8).write(to: URL(fileURLWithPath: h.root + "/hook-secret"))
            try Data((smtpPassword + "\n").utf8).write(to: URL(fileURLWithPath: h.root + "/smtp-pass"))
            for f in ["hook-secret", "smtp-pass"] { chmod(h.root + "/" + f, 0o600) }
            receiver = try NotifyReceiver(
                dir: h.root + "/received",
                arguments: [
                    "--smtp-user", "almanac", "--smtp-password-file", h.root + "/smtp-pass", "--webhook-secret-file",
                    h.root + "/hook-secret", "--webhook-fail-first", String(webhookFailFirst),
                ])
        }

        func notifyTable(on: String = "", extra: String = "") -> String {
            """
            [notify]
            \(on)
            command = ["/bin/sh", "-c", "cat >> \(commandOutput); echo >> \(commandOutput)"]
            webhook = "http://127.0.0.1:\(receiver.httpPort)/hook"
            webhook_secret_file = "\(h.root)/hook-secret"
            email = ["ops@example.com"]
            email_from = "almanac@example.com"
            smtp_url = "smtp://127.0.0.1:\(receiver.smtpPort)"
            smtp_user = "almanac"
            smtp_password_file = "\(h.root)/smtp-pass"
            \(extra)
            """
        }

        /// The reports the command got, in order.
        var commandReports: [[String: Any]] {
            let text = (try? String(contentsOfFile: commandOutput, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// Waits until each channel has delivered `count` notifications, then a little longer
        /// (so an extra one would be seen).
        func waitForDeliveries(_ count: Int) throws {
            try h.waitUntil("\(count) notifications on each channel", timeout: 60) {
                commandReports.count >= count && receiver.webhooks.count >= count && receiver.mails.count >= count
            }
            Thread.sleep(forTimeInterval: 1.5)
        }

        /// Every byte almanac wrote where an administrator or a receiver can read it: the daemon's
        /// log, every file under the state directory (log files, last good copies, state
        /// databases) and the receiver's, what the command got, and what `status`, `history`,
        /// `logs` and `/metrics` answer while the daemon runs.
        func everythingWritten() -> String {
            var text = (try? String(contentsOfFile: h.logPath, encoding: .utf8)) ?? ""
            for dir in [receiver.dir, h.state] {
                for name in FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [] {
                    let data = FileManager.default.contents(atPath: dir + "/" + name) ?? Data()
                    text += String(decoding: data, as: UTF8.self)
                }
            }
            text += (try? String(contentsOfFile: commandOutput, encoding: .utf8)) ?? ""
            for arguments in [
                ["status"], ["status", "clinic"], ["status", "--json"], ["history", "clinic", "--json"],
                ["history", "clinic"], ["logs", "clinic", "--json", "--tail", "1000"],
            ] {
                let answer = try? h.cli(arguments)
                #expect(answer?.code == 0, "almanac \(arguments.joined(separator: " ")) failed: \(answer?.err ?? "")")
                text += (answer?.out ?? "") + (answer?.err ?? "")
            }
            text += (try? h.client().request("GET", "/metrics").text) ?? ""
            return text
        }
    }

    static func event(_ report: [String: Any]) -> String { report["event"] as? String ?? "?" }

    @Test func aFailureThenARecoverySendExactlyTwoOnEveryChannel() throws {
        guard NotifyReceiver.enabled else { return }
        let s = try Setup(webhookFailFirst: 1)
        let h = s.h
        try h.writeProfile("clinic", extra: s.notifyTable())
        try "external_id,title,start_time\n".write(
            toFile: h.root + "/clinic-out.csv", atomically: true, encoding: .utf8)
        try h.start()
        let first = try h.waitReady("clinic")
        // The source is missing: the first run fails, the next ones (one after a restart) stay failed.
        #expect(try h.cli(["sync", "clinic", "--wait"]).code == 1)
        try s.waitForDeliveries(1)
        #expect(try h.cli(["sync", "clinic", "--wait"]).code == 1)
        _ = try h.cli(["sync", "clinic", "--dry-run", "--wait"])
        #expect(try h.cli(["restart", "clinic"]).code == 0)
        try h.waitReady("clinic", notPID: first)
        #expect(try h.cli(["sync", "clinic", "--wait"]).code == 1)
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try "external_id,title,start_time\nr1,Visit,\(start)\n"
            .write(toFile: h.root + "/clinic-in.csv", atomically: true, encoding: .utf8)
        #expect(try h.cli(["sync", "clinic", "--dry-run", "--wait"]).code == 0)  // a dry run is no recovery
        let fixed = try h.cli(["sync", "clinic", "--wait"])
        #expect(fixed.code == 0, "\(fixed.out)\(fixed.err)")
        #expect(try h.cli(["sync", "clinic", "--wait"]).code == 0)
        try s.waitForDeliveries(2)

        // The command.
        let reports = s.commandReports
        #expect(reports.map(Self.event) == ["failure", "recovery"])
        let failure = reports[0], recovery = reports[1]
        #expect(failure["v"] as? Int == 1)
        #expect(failure["profile"] as? String == "clinic" && failure["job"] as? String == "main")
        #expect((failure["error"] as? [String: Any])?["code"] as? String == "csv.path_missing")
        #expect(failure["retry"] as? String == "almanac sync clinic --job main")
        #expect(failure["run_id"] as? String != nil)
        #expect(recovery["since"] as? String == failure["since"] as? String)
        #expect(((recovery["counts"] as? [String: Any])?["to"] as? [String: Int])?["created"] == 1)

        // The webhook: the same JSON, signed, the first attempt answered 500 and retried.
        let bodies = s.receiver.webhooks.map { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        #expect(bodies.map { Self.event($0 ?? [:]) } == ["failure", "recovery"])
        #expect(bodies[0]?["run_id"] as? String == failure["run_id"] as? String)
        #expect(s.receiver.webhookMeta.map { $0["valid"] as? Bool } == [true, true])
        #expect(s.receiver.webhookAttempts == 3)

        // The mail: authenticated with the planted password, to the recipient, saying what to do.
        let mails = s.receiver.mails
        #expect(mails.count == 2)
        #expect(mails[0].contains("Subject: [almanac] clinic/main: failing\r\n"))
        #expect(mails[0].contains("Last error (csv.path_missing):"))
        #expect(mails[0].contains("  almanac sync clinic --job main\r\n"))
        #expect(mails[1].contains("Subject: [almanac] clinic/main: recovered\r\n"))
        #expect(s.receiver.mailMeta.map { $0["login"] as? String } == ["almanac", "almanac"])
        #expect(s.receiver.mailMeta.first?["rcpt_tos"] as? [String] == ["ops@example.com"])
        #expect(s.receiver.mailMeta.first?["mail_from"] as? String == "almanac@example.com")

        // The worker logged each delivery with what the receiver answered.
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        let sent = log.split(separator: "\n").filter { $0.contains("msg=\"notification sent\"") }
        #expect(sent.count == 6)
        #expect(sent.filter { $0.contains("channel=command") && $0.contains("result=\"exit status 0\"") }.count == 2)
        #expect(sent.filter { $0.contains("channel=webhook") && $0.contains("result=\"HTTP 204\"") }.count == 2)

        // No secret anywhere.
        let written = s.everythingWritten()
        #expect(!written.contains(s.webhookSecret))
        #expect(!written.contains(s.smtpPassword))
        #expect(h.stop() == 0)
    }

    /// A revoked refresh token is `reconnect_required`; neither the OAuth secrets nor the
    /// notification secrets reach a notification, a mail, a log line or a state file.
    @Test func reconnectRequiredCarriesNoSecret() throws {
        guard NotifyReceiver.enabled else { return }
        let s = try Setup()
        let h = s.h
        let dir = TempDirectory("notify-google")
        let account = try FakeGoogleAccount(in: dir, clientID: "notify-client")
        account.server.auth.revoke(refreshToken: account.refreshToken)
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try "external_id,title,start_time\nr1,Visit,\(start)\n"
            .write(toFile: h.root + "/in.csv", atomically: true, encoding: .utf8)
        try h.write(
            "clinic.toml",
            """
            timezone = "UTC"
            \(s.notifyTable(on: "on = [\"reconnect_required\"]"))
            [schedule]
            manual = true
            [connections.src]
            connector = "csv"
            path = "\(h.root)/in.csv"
            \(account.connection("cal"))
            [[jobs]]
            name = "main"
            from = "src"
            to = "cal"

            """)
        try h.start(environment: [FakeGoogleAccount.tokenVariable: account.refreshToken])
        try h.waitReady("clinic")
        #expect(try h.cli(["sync", "clinic", "--wait"]).code == 1)
        try s.waitForDeliveries(1)
        let report = try #require(s.commandReports.first)
        #expect(Self.event(report) == "reconnect_required")
        #expect((report["error"] as? [String: Any])?["code"] as? String == "oauth.reconnect_required")
        #expect(
            report["retry"] as? String
                == "almanac auth google --connection cal clinic, then almanac sync clinic --job main")
        #expect(s.receiver.mails.first?.contains("needs to be reconnected") == true)
        let clientSecret = try String(contentsOfFile: account.secretFile, encoding: .utf8)
        let written = s.everythingWritten()
        for (name, secret) in [
            ("refresh token", account.refreshToken), ("client secret", clientSecret),
            ("webhook secret", s.webhookSecret), ("smtp password", s.smtpPassword),
        ] {
            #expect(!written.contains(secret), "the \(name) leaked")
        }
        #expect(h.stop() == 0)
    }

    @Test func notifyTestSendsOnEveryChannelAndSaysWhichFailed() throws {
        guard NotifyReceiver.enabled else { return }
        let s = try Setup()
        let h = s.h
        try h.writeProfile("clinic", extra: s.notifyTable())
        let ok = try h.cli(["notify-test", "clinic", "--profiles", h.profiles], runtimeOption: false)
        #expect(ok.code == 0, "\(ok.err)")
        #expect(ok.out == "command: ok\nwebhook: ok\nemail: ok\n")
        #expect(s.commandReports.map(Self.event) == ["test"])
        #expect(s.receiver.webhooks.count == 1 && s.receiver.mails.count == 1)
        #expect(s.receiver.webhookMeta.first?["valid"] as? Bool == true)
        #expect(s.receiver.mails.first?.contains("Subject: [almanac] clinic: test notification\r\n") == true)

        // The receiver offers no STARTTLS: a profile that requires it gets no mail out.
        try h.writeProfile("strict", extra: s.notifyTable(extra: "smtp_starttls = \"require\""))
        let strict = try h.cli(["notify-test", "strict", "--profiles", h.profiles], runtimeOption: false)
        #expect(strict.code == 1)
        let lines = strict.out.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first == "command: ok" && lines.dropFirst().first == "webhook: ok")
        #expect(lines.last?.hasPrefix("email: error: 127.0.0.1 did not take the mail") == true)
        #expect(lines.last?.hasSuffix("(notify.mail_failed)") == true)
        #expect(s.receiver.mails.count == 1)
        #expect(!(strict.out + strict.err + ok.out + ok.err).contains(s.smtpPassword))

        try h.writeProfile("quiet")
        let none = try h.cli(["notify-test", "quiet", "--profiles", h.profiles], runtimeOption: false)
        #expect(none.code == 1 && none.err.contains("notify.not_configured"))
    }

    /// The supervisor's events: a worker that exits 78 is `invalid`, an invalid edit of a running
    /// profile is `invalid` (once), a worker that keeps crashing is `fatal`.
    @Test func theSupervisorSendsInvalidAndFatal() throws {
        guard NotifyReceiver.enabled else { return }
        let s = try Setup(testWorker: true)
        let h = s.h
        let table = s.notifyTable(on: "on = [\"fatal\", \"invalid\"]")
        try h.writeProfile("crashy", extra: "# almanac-test: exit=1\n" + table)
        try h.writeProfile("config", extra: "# almanac-test: exit=78\n" + table)
        try h.writeProfile("edited", extra: table)
        try h.start()
        try h.waitReady("edited")
        try h.writeProfile("edited", extra: table + "\nbogus_key = 1\n")
        try h.waitUntil("edited's invalid notice", timeout: 30) {
            s.commandReports.contains { $0["profile"] as? String == "edited" }
        }
        try h.writeProfile("edited", extra: table + "\nbogus_key = 2\n")  // still invalid: no second notice
        try h.waitUntil("config's invalid notice", timeout: 30) {
            s.commandReports.contains { $0["profile"] as? String == "config" }
        }
        try h.waitUntil("crashy's fatal notice", timeout: 150) {
            s.commandReports.contains { $0["profile"] as? String == "crashy" }
        }
        try s.waitForDeliveries(3)
        let byProfile = Dictionary(grouping: s.commandReports) { $0["profile"] as? String ?? "" }
        #expect(byProfile["config"]?.map(Self.event) == ["invalid"])
        #expect((byProfile["config"]?.first?["error"] as? [String: Any])?["code"] as? String == "profile.invalid")
        #expect(byProfile["edited"]?.map(Self.event) == ["invalid"])
        let edited = byProfile["edited"]?.first?["error"] as? [String: Any]
        #expect((edited?["message"] as? String)?.contains("notify.bogus_key: unknown key") == true)
        #expect(byProfile["crashy"]?.map(Self.event) == ["fatal"])
        let fatal = byProfile["crashy"]?.first?["error"] as? [String: Any]
        #expect(fatal?["code"] as? String == "supervisor.restart_limit")
        #expect(byProfile["crashy"]?.first?["retry"] as? String == "almanac restart crashy")
        #expect(s.receiver.webhookMeta.allSatisfy { $0["valid"] as? Bool == true })
        #expect(Set(s.receiver.mails.compactMap { $0.contains("worker keeps crashing") ? "fatal" : nil }) == ["fatal"])
        #expect(h.stop() == 0)
    }

    /// A command the daemon runs for its own notices is waited for by the thread that started it:
    /// the daemon's reaper (`waitpid` on SIGCHLD) must not take its exit status, or a command that
    /// failed would count as delivered.
    @Test func theDaemonSeesItsNotifyCommandFail() throws {
        let h = try DaemonHarness()
        let table = """
            [notify]
            on = ["invalid"]
            command = ["/bin/sh", "-c", "cat > /dev/null; exit 3"]
            """
        try h.writeProfile("edited", extra: table)
        try h.start()
        try h.waitReady("edited")
        try h.writeProfile("edited", extra: table + "\nbogus_key = 1\n")
        try h.waitUntil("the daemon logs the notice's outcome", timeout: 30) {
            let log = (try? String(contentsOfFile: h.logPath, encoding: .utf8)) ?? ""
            return log.contains("notification sent") || log.contains("notification not delivered")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("notification not delivered: /bin/sh exited with status 3"), "\(log)")
        #expect(!log.contains("notification sent"))
        #expect(h.stop() == 0)
    }
}
