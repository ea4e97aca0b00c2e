import AlmanacCore
import AlmanacHTTP
import Foundation
import Logging

/// The `webhook = "https://…"` channel: POSTs the notification's JSON through the project's HTTP
/// client (libcurl; retried by `retry` on 408, 429, 5xx and connection failures, with backoff),
/// signed when a secret is set: `X-Almanac-Signature: sha256=<hex HMAC-SHA256 of the body>`.
public struct WebhookChannel: Sendable {
    public let url: String
    /// The HMAC key (`webhook_secret`), resolved when the channel is made.
    let secret: String?
    public let retry: RetryPolicy

    public static let signatureHeader = "X-Almanac-Signature"
    /// Five attempts, 1 s doubling to at most 15 s between them.
    public static let standardRetry = RetryPolicy(maxAttempts: 5, baseDelay: 1, maxDelay: 15, maxRetryAfter: 60)

    public init(url: String, secret: String?, retry: RetryPolicy = WebhookChannel.standardRetry) {
        self.url = url
        self.secret = secret
        self.retry = retry
    }

    /// The signature header's value for `body`.
    public static func signature(of body: Data, secret: String) -> String {
        "sha256=" + HMACSHA256.hex(key: secret, message: [UInt8](body))
    }

    /// Returns the receiver's 2xx status.
    /// - Throws: `notify.webhook_failed` for a final non-2xx answer, the transport's
    ///   `http.*` error when the server cannot be reached.
    @discardableResult
    public func send(_ body: Data, event: NotificationEvent, logger: Logger) throws -> Int {
        var headers = ["Content-Type": "application/json", "X-Almanac-Event": event.rawValue]
        if let secret { headers[Self.signatureHeader] = Self.signature(of: body, secret: secret) }
        let client = HTTPClient(options: TransportOptions(timeout: 30, maxConcurrent: 1), retry: retry, logger: logger)
        let response = try client.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
        guard response.isSuccess else {
            let host = URLComponents(string: url)?.host ?? "the webhook"
            throw AlmanacError(
                .notifyWebhookFailed,
                "\(host) answered \(response.status) after \(client.requestsSent) attempts; check the receiver's log")
        }
        return response.status
    }
}
