import Foundation

/// The `[notify]` table (README "Notifications"): events, reminders and the three channels.
extension ProfileValidator {
    func notify(_ scope: ConfigScope) -> NotifyConfig? {
        defer { scope.finish() }
        let before = diagnostics.issues.count
        var config = NotifyConfig(settings: scope.table, directory: directory)
        if let on = scope.strings("on") {
            config.on = []
            for (i, s) in on.enumerated() {
                guard let e = NotifyConfig.Event(rawValue: s) else {
                    diagnostics.report(
                        .configInvalidValue, at: scope.path.appending("on").index(i).description,
                        "must be one of \(Self.events), got \"\(s)\"")
                    continue
                }
                config.on.insert(e)
            }
        }
        if let every = scope.duration("repeat") {
            if every == .zero {
                config.repeatInterval = nil
            } else if every < .seconds(60) {
                scope.report(.configInvalidValue, "repeat", "must be 0s (no reminders) or at least 1m")
            } else {
                config.repeatInterval = every
            }
        }
        config.command = command(scope)
        if let timeout = scope.duration("command_timeout") {
            if timeout < .seconds(1) || timeout > .seconds(3_600) {
                scope.report(.configInvalidValue, "command_timeout", "must be between 1s and 1h")
            }
            config.commandTimeout = timeout
        }
        config.webhook = webhook(scope)
        Secrets.validate(
            "webhook_secret", in: scope, required: false, fileIsPrivate: fileIsPrivate, relativeTo: directory)
        if config.webhook == nil, let key = Secrets.keys(for: "webhook_secret").first(where: { scope.table[$0] != nil })
        {
            scope.report(.configInvalidValue, key, "signs webhook requests: set webhook too, or remove it")
        }
        email(scope, into: &config)
        if config.command == nil && config.webhook == nil && config.email.isEmpty
            && diagnostics.issues.count == before
        {
            scope.report(.configMissingKey, "command", "name at least one channel: command, webhook or email")
        }
        return diagnostics.issues.count == before ? config : nil
    }

    private func command(_ scope: ConfigScope) -> [String]? {
        guard let command = scope.strings("command") else { return nil }
        guard let program = command.first, !program.isEmpty else {
            scope.report(.configInvalidValue, "command", "must name a program, e.g. [\"/usr/local/bin/page-ops\"]")
            return nil
        }
        if program.hasPrefix("/") && !FileManager.default.isExecutableFile(atPath: program) {
            scope.report(.configInvalidValue, "command", "\(program) is not an executable file")
        }
        return command
    }

    private func webhook(_ scope: ConfigScope) -> String? {
        guard let url = scope.string("webhook") else { return nil }
        guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme ?? ""),
            parts.host?.isEmpty == false
        else {
            scope.report(
                .configInvalidValue, "webhook", "expected an http(s) url like \"https://hooks.example.com/almanac\"")
            return nil
        }
        return url
    }

    private func email(_ scope: ConfigScope, into config: inout NotifyConfig) {
        config.email = scope.strings("email") ?? []
        for (i, address) in config.email.enumerated() where !Self.isMailAddress(address) {
            diagnostics.report(
                .configInvalidValue, at: scope.path.appending("email").index(i).description,
                "expected a mail address like \"ops@example.com\", got \"\(address)\"")
        }
        config.emailFrom = scope.string("email_from")
        if let from = config.emailFrom, !Self.isMailAddress(from) {
            scope.report(.configInvalidValue, "email_from", "expected a mail address like \"almanac@example.com\"")
        }
        config.smtpURL = scope.string("smtp_url")
        if let url = config.smtpURL {
            let parts = URLComponents(string: url)
            if !["smtp", "smtps"].contains(parts?.scheme ?? "") || parts?.host?.isEmpty != false {
                scope.report(
                    .configInvalidValue, "smtp_url",
                    "expected smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT (TLS from the start)")
            }
        }
        config.smtpUser = scope.string("smtp_user")
        if let mode = scope.choice("smtp_starttls", NotifyConfig.StartTLS.allCases.map(\.rawValue)) {
            config.smtpStartTLS = NotifyConfig.StartTLS(rawValue: mode) ?? .try
        }
        Secrets.validate(
            "smtp_password", in: scope, required: false, fileIsPrivate: fileIsPrivate, relativeTo: directory)
        let password = Secrets.keys(for: "smtp_password").first { scope.table[$0] != nil }
        if let password, config.smtpUser == nil {
            scope.report(.configMissingKey, "smtp_user", "\(password) is set: give the user name it belongs to")
        }
        let mailKeys = ["email_from", "smtp_url", "smtp_user", "smtp_starttls"] + (password.map { [$0] } ?? [])
        if config.email.isEmpty {
            for key in mailKeys where scope.table[key] != nil {
                scope.report(.configInvalidValue, key, "is a mail setting: set email = [\"ops@…\"] too, or remove it")
            }
        } else if config.smtpURL == nil && scope.table["smtp_url"] == nil {
            scope.report(
                .configMissingKey, "smtp_url", "email needs the mail server, e.g. \"smtp://mail.example.com:587\"")
        }
    }

    static let events = NotifyConfig.Event.allCases.map(\.rawValue).joined(separator: ", ")

    /// `local@domain`, no spaces or angle brackets (what goes into `MAIL FROM`/`RCPT TO`).
    static func isMailAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !s.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" })
    }
}
