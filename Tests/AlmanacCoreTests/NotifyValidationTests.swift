import AlmanacCore
import Foundation
import Testing

/// Every key of `[notify]` (README "Notifications"): its default, its typed value, its errors.
@Suite("Notify settings", .timeLimit(.minutes(10)))
struct NotifyValidationTests {
    func notify(_ lines: String) -> NotifyConfig? { profile(validProfile + "\n[notify]\n" + lines + "\n")?.notify }
    func problems(_ lines: String) -> [String] { issues(validProfile + "\n[notify]\n" + lines + "\n").codesAndPaths }

    @Test func defaultsWithOneChannel() throws {
        let n = try #require(notify("command = [\"/bin/true\"]"))
        #expect(n.on == Set(NotifyConfig.Event.allCases))
        #expect(n.repeatInterval == .seconds(86_400))
        #expect(n.command == ["/bin/true"])
        #expect(n.commandTimeout == .seconds(30))
        #expect(n.webhook == nil && n.email.isEmpty && n.smtpURL == nil && n.smtpStartTLS == .try)
    }

    @Test func everyKeyTakesItsValue() throws {
        let dir = ProfileDir()
        _ = dir.write("hook-secret", "s3cret\n", mode: 0o600)
        _ = dir.write("smtp-pass", "pw\n", mode: 0o600)
        let text =
            validProfile + """

                [notify]
                on = ["failure", "recovery", "reconnect_required", "mass_delete_blocked", "fatal", "invalid"]
                repeat = "6h"
                command = ["/bin/true", "--flag"]
                command_timeout = "5s"
                webhook = "https://hooks.example.com/almanac"
                webhook_secret_file = "hook-secret"
                email = ["ops@example.com", "oncall@example.com"]
                email_from = "almanac@example.com"
                smtp_url = "smtp://mail.example.com:587"
                smtp_user = "almanac"
                smtp_password_file = "smtp-pass"
                smtp_starttls = "require"

                """
        let file = dir.write("clinic.toml", text, mode: 0o600)
        guard case .success(let p) = testLoader.load(path: file).result else {
            Issue.record("the profile should be valid")
            return
        }
        let n = try #require(p.notify)
        #expect(n.on.count == 6)
        #expect(n.repeatInterval == .seconds(6 * 3_600))
        #expect(n.command == ["/bin/true", "--flag"])
        #expect(n.commandTimeout == .seconds(5))
        #expect(n.webhook == "https://hooks.example.com/almanac")
        #expect(n.email == ["ops@example.com", "oncall@example.com"])
        #expect(n.emailFrom == "almanac@example.com")
        #expect(n.smtpURL == "smtp://mail.example.com:587")
        #expect(n.smtpUser == "almanac")
        #expect(n.smtpStartTLS == .require)
        let secret = try Secrets.resolve("webhook_secret", in: n.settings, relativeTo: n.directory, where: "test")
        #expect(secret == "s3cret")
        let password = try Secrets.resolve("smtp_password", in: n.settings, relativeTo: n.directory, where: "test")
        #expect(password == "pw")
    }

    @Test func repeatZeroTurnsRemindersOff() throws {
        #expect(try #require(notify("repeat = \"0s\"\ncommand = [\"/bin/true\"]")).repeatInterval == nil)
        #expect(problems("repeat = \"30s\"\ncommand = [\"/bin/true\"]") == ["config.invalid_value notify.repeat"])
    }

    @Test func eventsAndChannelsAreChecked() {
        #expect(problems("on = [\"failed\"]\ncommand = [\"/bin/true\"]") == ["config.invalid_value notify.on[0]"])
        #expect(problems("on = [\"failure\"]") == ["config.missing_key notify.command"])
        #expect(problems("command = [\"/nonexistent/page-ops\"]") == ["config.invalid_value notify.command"])
        #expect(problems("command = []") == ["config.invalid_value notify.command"])
        #expect(
            problems("command = [\"/bin/true\"]\ncommand_timeout = \"2h\"") == [
                "config.invalid_value notify.command_timeout"
            ])
        #expect(problems("webhook = \"ftp://x\"") == ["config.invalid_value notify.webhook"])
        #expect(
            problems("command = [\"/bin/true\"]\nwebhook_secret_env = \"HOOK\"") == [
                "config.invalid_value notify.webhook_secret_env"
            ])
    }

    @Test func mailSettingsGoTogether() {
        #expect(problems("email = [\"ops@example.com\"]") == ["config.missing_key notify.smtp_url"])
        #expect(
            problems("email = [\"ops\"]\nsmtp_url = \"smtp://m:25\"") == ["config.invalid_value notify.email[0]"])
        #expect(
            problems("email = [\"o@x\"]\nsmtp_url = \"http://m:25\"") == ["config.invalid_value notify.smtp_url"])
        #expect(
            problems("email = [\"o@x\"]\nsmtp_url = \"smtp://m:25\"\nemail_from = \"me\"") == [
                "config.invalid_value notify.email_from"
            ])
        #expect(
            problems("email = [\"o@x\"]\nsmtp_url = \"smtp://m:25\"\nsmtp_password_env = \"PW\"") == [
                "config.missing_key notify.smtp_user"
            ])
        #expect(
            problems("email = [\"o@x\"]\nsmtp_url = \"smtp://m:25\"\nsmtp_starttls = \"maybe\"") == [
                "config.invalid_value notify.smtp_starttls"
            ])
        #expect(
            problems("command = [\"/bin/true\"]\nsmtp_url = \"smtp://m:25\"") == [
                "config.invalid_value notify.smtp_url"
            ])
    }

    /// The keys above are all there is (anything else is unknown), and the README documents each.
    @Test func theKeySetIsClosedAndDocumented() throws {
        #expect(problems("command = [\"/bin/true\"]\npager = \"x\"") == ["config.unknown_key notify.pager"])
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section =
            try #require(readme.components(separatedBy: "## Notifications\n").dropFirst().first)
            .components(separatedBy: "\n## ").first ?? ""
        for key in [
            "on", "repeat", "command", "command_timeout", "webhook", "webhook_secret_file", "email", "email_from",
            "smtp_url", "smtp_starttls", "smtp_user", "smtp_password_file",
        ] {
            #expect(section.contains("| `\(key)`"), "README \"Notifications\" does not document `\(key)`")
        }
    }

    @Test func secretsFollowTheSecretRules() {
        // Inline in a file others can read: refused, and the value is never shown.
        let found = issues(
            validProfile + "\n[notify]\nwebhook = \"https://h.example\"\nwebhook_secret = \"hunter2\"\n", mode: 0o644)
        #expect(found.codesAndPaths == ["config.inline_secret notify.webhook_secret"])
        #expect(!found.map(\.description).joined().contains("hunter2"))
        #expect(
            problems("email = [\"o@x\"]\nsmtp_url = \"smtp://m:25\"\nsmtp_user = \"u\"\nsmtp_password_file = \"nope\"")
                == ["config.secret_missing notify.smtp_password_file"])
    }
}
