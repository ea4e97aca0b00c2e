import AlmanacCore
import AlmanacHTTP
import Foundation

/// The `email = [...]` channel: a short plain-text mail through `smtp_url` (libcurl's SMTP).
public struct MailChannel: Sendable {
    public let recipients: [String]
    public let from: String
    public let url: String
    let user: String?
    let password: String?
    public let requireStartTLS: Bool

    public init(
        recipients: [String], from: String, url: String, user: String?, password: String?, requireStartTLS: Bool
    ) {
        self.recipients = recipients
        self.from = from
        self.url = url
        self.user = user
        self.password = password
        self.requireStartTLS = requireStartTLS
    }

    /// - Throws: `notify.mail_failed`, or the transport's `http.*` error.
    public func send(_ notification: Notification) throws {
        let message = MailText(notification).message(from: from, to: recipients)
        try MailTransport.send(
            MailSubmission(
                url: url, from: from, recipients: recipients, message: message, user: user, password: password,
                requireStartTLS: requireStartTLS))
    }
}

/// The mail of a notification: a subject that says what happened to which job, and a body an
/// administrator can act on (profile, job, what failed, since when, the last error, the command
/// to run once fixed).
public struct MailText: Sendable {
    public let notification: Notification

    public init(_ notification: Notification) { self.notification = notification }

    public var subject: String {
        let n = notification
        let subject = [n.profile, n.job].compactMap { $0 }.joined(separator: "/")
        let what: String
        switch n.event {
        case .failure: what = n.reminder ? "still failing" : "failing"
        case .recovery: what = "recovered"
        case .reconnectRequired: what = n.reminder ? "still needs to be reconnected" : "needs to be reconnected"
        case .massDeleteBlocked:
            what = n.reminder ? "still blocked by the mass-delete guard" : "blocked by the mass-delete guard"
        case .fatal: what = "worker keeps crashing"
        case .invalid: what = "invalid configuration"
        case .conflict: what = "\(n.conflicts?.count ?? 0) schedule conflicts"
        case .test: what = "test notification"
        }
        return "[almanac] \(subject): \(what)"
    }

    public var body: String {
        let n = notification
        var lines = ["Profile: \(n.profile)"]
        if let job = n.job { lines.append("Job:     \(job)") }
        lines.append("Event:   \(n.event.rawValue)\(n.reminder ? " (reminder)" : "")")
        lines.append("Host:    \(n.host)")
        if let since = n.since {
            lines.append("\(n.event == .recovery ? "Failed since" : "Since"):   \(Self.time(since))")
        }
        lines.append("At:      \(Self.time(n.at))")
        if let run = n.runID { lines.append("Run:     \(run)") }
        if let e = n.error {
            lines += ["", "Last error (\(e.code)):", "  \(e.message)"]
        }
        if let c = n.counts, n.event == .recovery {
            lines += ["", "This run: to \(c.to.summary); from \(c.from.summary)."]
        }
        switch n.event {
        case .fatal: lines += ["", "See: almanac logs \(n.profile); then: almanac restart \(n.profile)"]
        case .invalid: lines += ["", "Check the file: almanac check; the worker restarts when the file is fixed."]
        case .test: lines += ["", "This is a test sent by almanac notify-test \(n.profile)."]
        case .conflict: lines += Self.conflictLines(n)
        default: break
        }
        if let retry = n.retry { lines += ["", "Once the cause is fixed, run:", "  \(retry)"] }
        lines += ["", "Status: almanac status \(n.profile)    Logs: almanac logs \(n.profile)"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Headers and body, CRLF line ends.
    public func message(from: String, to: [String]) -> Data {
        let date = DateFormatter()
        date.locale = Locale(identifier: "en_US_POSIX")
        date.timeZone = TimeZone(identifier: "UTC")
        date.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        let headers = [
            "From: \(from)", "To: \(to.joined(separator: ", "))", "Subject: \(subject)",
            "Date: \(date.string(from: notification.at))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
            "X-Almanac-Event: \(notification.event.rawValue)",
        ]
        return Data((headers.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    static func time(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
