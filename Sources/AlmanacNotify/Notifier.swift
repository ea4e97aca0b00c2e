import AlmanacCore
import Foundation
import Logging

/// Sends a profile's notifications on every channel of its `[notify]` table and logs each
/// channel's outcome. Secrets are read when a notification is sent (a rotated secret file is
/// picked up without a restart) and reach no log line or error. Blocking: a command may run up to
/// its timeout, a webhook retries, a mail server may be slow.
public struct Notifier: Sendable {
    /// One channel's outcome: nil error for a delivery, with what the receiver answered
    /// (`exit status 0`, `HTTP 204`, `accepted`).
    public struct Outcome: Sendable {
        public var channel: String
        public var error: AlmanacError?
        public var detail = ""
    }

    public let profile: String
    public let config: NotifyConfig
    /// Where each channel's outcome is logged; nil: the caller logs the outcomes `send` returns.
    let logger: Logger?
    let environment: [String: String]

    public init(
        profile: String, config: NotifyConfig, logger: Logger?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.profile = profile
        self.config = config
        self.logger = logger
        self.environment = environment
    }

    /// Whether `event` goes out at all (`on = [...]`; `test` always does).
    public func wants(_ event: NotificationEvent) -> Bool {
        event.selector.map(config.on.contains) ?? true
    }

    /// The channels the `[notify]` table configures, in the order they are tried.
    public var channels: [String] {
        var out: [String] = []
        if config.command != nil { out.append("command") }
        if config.webhook != nil { out.append("webhook") }
        if !config.email.isEmpty, config.smtpURL != nil { out.append("email") }
        return out
    }

    /// Sends `notification` on every channel (or on those of `only`), in the order command,
    /// webhook, email; one outcome each.
    @discardableResult
    public func send(_ notification: Notification, only: Set<String>? = nil) -> [Outcome] {
        let body = notification.json()
        var outcomes: [Outcome] = []
        func attempt(_ channel: String, _ deliver: () throws -> String) {
            guard only?.contains(channel) ?? true else { return }
            do {
                outcomes.append(Outcome(channel: channel, error: nil, detail: try deliver()))
            } catch let error as AlmanacError {
                outcomes.append(Outcome(channel: channel, error: error))
            } catch {
                outcomes.append(Outcome(channel: channel, error: AlmanacError(.runError, "\(error)")))
            }
        }
        if let argv = config.command {
            attempt("command") {
                let status = try CommandChannel(argv: argv, timeout: config.commandTimeout).send(body)
                return "exit status \(status)"
            }
        }
        if let url = config.webhook {
            attempt("webhook") {
                let secret = try secret("webhook_secret")
                let status = try WebhookChannel(url: url, secret: secret).send(
                    body, event: notification.event, logger: logger ?? Logger(label: "almanac.notify"))
                return "HTTP \(status)"
            }
        }
        if !config.email.isEmpty, let url = config.smtpURL {
            attempt("email") {
                let channel = MailChannel(
                    recipients: config.email, from: config.emailFrom ?? "almanac@\(Notification.hostName)",
                    url: url, user: config.smtpUser, password: try secret("smtp_password"),
                    requireStartTLS: config.smtpStartTLS == .require)
                try channel.send(notification)
                return "accepted"
            }
        }
        for o in outcomes {
            guard let logger else { break }
            var metadata: Logger.Metadata = [
                "event": "\(notification.event.rawValue)", "channel": "\(o.channel)",
            ]
            if let job = notification.job { metadata["job"] = "\(job)" }
            if let e = o.error {
                metadata["error.code"] = "\(e.code.rawValue)"
                logger.warning("notification not delivered: \(e.message)", metadata: metadata)
            } else {
                metadata["result"] = "\(o.detail)"
                logger.info("notification sent", metadata: metadata)
            }
        }
        return outcomes
    }

    private func secret(_ key: String) throws -> String? {
        try Secrets.resolve(
            key, in: config.settings, relativeTo: config.directory, environment: environment,
            where: "profile \(profile): notify")
    }
}
