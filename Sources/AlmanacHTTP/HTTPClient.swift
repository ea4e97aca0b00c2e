import AlmanacCore
import Foundation
import Logging

/// The client connectors use: libcurl transfers (concurrent, keep-alive), retries by policy,
/// a request budget, and counters. Not thread-safe: one caller thread at a time.
public final class HTTPClient {
    public let transport: CurlTransport
    public var retry: RetryPolicy
    public var budget: RequestBudget
    /// Requests put on the wire (retries included).
    public private(set) var requestsSent = 0
    /// Retries made, and how many were paced by a `Retry-After`.
    public private(set) var retries = 0
    public private(set) var retryAfterWaits = 0
    /// Extra statuses a service wants retried (Google: 403 with a rate-limit reason).
    public var isRetryableResponse: @Sendable (HTTPResponse) -> Bool = { _ in false }
    /// Sleeps (tests may shorten).
    public var sleep: (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
    private let logger: Logger
    /// No request is sent before this instant (set by a `Retry-After`: rate limits are per account).
    private var notBefore = Date.distantPast

    public init(
        options: TransportOptions = TransportOptions(), retry: RetryPolicy = .standard,
        budget: RequestBudget = RequestBudget(), logger: Logger = Logger(label: "almanac.http")
    ) {
        transport = CurlTransport(options: options)
        self.retry = retry
        self.budget = budget
        self.logger = logger
    }

    /// Sends one request with retries. Returns the final response (which may be an error status
    /// that is not retryable, or a retryable one after the last attempt). Throws a transport
    /// `AlmanacError` when every attempt failed below HTTP, or `http.budget_exhausted`.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try sendAll([request])[0].get()
    }

    /// Sends requests concurrently with retries; one result per request, in order. Throws only
    /// `http.budget_exhausted` (before sending anything it cannot pay for).
    public func sendAll(_ requests: [HTTPRequest]) throws -> [Result<HTTPResponse, AlmanacError>] {
        var results = [Result<HTTPResponse, AlmanacError>?](repeating: nil, count: requests.count)
        var pending = Array(requests.indices)
        var attempt = 0
        while !pending.isEmpty {
            attempt += 1
            var again: [Int] = []
            var retryAfter: TimeInterval?
            // Waves of at most `maxConcurrent`: once a wave brings a `Retry-After`, nothing more
            // is sent before it has passed.
            let wave = max(1, transport.options.maxConcurrent)
            for start in stride(from: 0, to: pending.count, by: wave) {
                let group = Array(pending[start..<min(pending.count, start + wave)])
                guard budget.take(group.count) else {
                    throw AlmanacHTTPError.budgetExhausted(limit: budget.limit ?? 0)
                }
                let wait = notBefore.timeIntervalSinceNow
                if wait > 0 { sleep(wait) }
                requestsSent += group.count
                let outcomes = transport.perform(group.map { requests[$0] })
                for (i, outcome) in zip(group, outcomes) {
                    switch outcome {
                    case .response(let r):
                        let retryable = RetryPolicy.isRetryable(status: r.status) || isRetryableResponse(r)
                        if retryable && attempt < retry.maxAttempts && (r.retryAfter ?? 0) <= retry.maxRetryAfter {
                            again.append(i)
                            if let ra = r.retryAfter {
                                retryAfter = max(retryAfter ?? 0, ra)
                                notBefore = max(notBefore, Date().addingTimeInterval(ra))
                            }
                        } else {
                            results[i] = .success(r)
                        }
                    case .failure(let code, let detail):
                        if RetryPolicy.isRetryable(curlCode: code) && attempt < retry.maxAttempts {
                            again.append(i)
                        } else {
                            let host = URLComponents(string: requests[i].url)?.host ?? "the server"
                            results[i] = .failure(
                                AlmanacHTTPError.transport(host: host, curlCode: code, detail: detail))
                        }
                    }
                }
            }
            if !again.isEmpty {
                let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
                if retryAfter != nil { retryAfterWaits += 1 }
                retries += again.count
                logger.debug(
                    "retrying requests",
                    metadata: [
                        "count": "\(again.count)", "attempt": "\(attempt)",
                        "delay_ms": "\(Int(delay * 1000))",
                    ])
                sleep(max(delay, notBefore.timeIntervalSinceNow))
            }
            pending = again
        }
        return results.map { $0! }
    }
}
