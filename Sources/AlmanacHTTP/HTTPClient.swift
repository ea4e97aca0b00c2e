import AlmanacCore
import Foundation
import Logging

/// The client connectors use: libcurl transfers (concurrent, keep-alive), retries by policy,
/// a request budget, and counters. Not thread-safe: one caller thread at a time.
///
/// **The one retry layer.** Every HTTP call a connector makes is retried here and nowhere else
/// (connectors and the engine do not retry calls; the worker's `RetryBackoff` runs a failed
/// *job* again later, which is another thing). One policy, `retry` (`RetryPolicy`):
/// - retried: the statuses of `RetryPolicy.isRetryable(status:)` (408, 429, 500, 502, 503, 504)
///   and those `isRetryableResponse` adds (Google: 403 with a rate-limit reason); transfers that
///   failed below HTTP with a `RetryPolicy.isRetryable(curlCode:)` code (connect, resolve, reset,
///   timeout, empty reply); inside a batch (`sendBatched`), a call whose own answer is one of
///   those statuses or is missing from the batch's answer;
/// - at most `retry.maxAttempts` attempts per call in all (the first included), whether the
///   request failed or only the call's answer inside it;
/// - between attempts, exponential backoff with jitter (`RetryPolicy.delay`); a `Retry-After`
///   (on a request's or a call's answer) is honoured when it is longer, and holds back every
///   request of this client until it has passed; one longer than `retry.maxRetryAfter` is not
///   waited for: the answer is returned at once;
/// - not retried: other statuses; 401 (`AuthorizedClient` refreshes the token and resends once);
///   for a request that is not `isReplayable`, anything but a 429 or a transfer that never reached
///   the server.
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
    /// The connection's quota keys: each request asks `QuotaGates.current` for tokens first (a
    /// batch request one per call) and reports a 429 or rate-limit refusal (nil: not governed).
    public var quota: QuotaKeys?
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
        try sendBatched(requests, as: .single).map(\.single)
    }

    /// Sends `calls` packed `format.maxCalls` to a request, requests concurrently, each call
    /// retried by `retry` (see the type's comment) and sent again in a new request with the other
    /// calls still to retry. One answer per call, in order. A request is made (`format.request`)
    /// only when it can be sent, so making it overlaps the server's work on those in flight.
    /// Throws what `format.request` throws, or `http.budget_exhausted` (before sending a request
    /// it cannot pay for); the requests in flight then end first.
    public func sendBatched<Call>(_ calls: [Call], as format: BatchFormat<Call>) throws -> [BatchAnswer] {
        var answers = [BatchAnswer?](repeating: nil, count: calls.count)
        var pending = Array(calls.indices)
        var attempt = 0
        let gate = quota == nil ? nil : QuotaGates.current
        while !pending.isEmpty {
            attempt += 1
            let last = attempt >= retry.maxAttempts
            var again: [Int] = []
            var retryAfter: TimeInterval?
            let groups = stride(from: 0, to: pending.count, by: format.maxCalls).map {
                Array(pending[$0..<min(pending.count, $0 + format.maxCalls)])
            }
            var urls = [String](repeating: "", count: groups.count)
            var replayable = [Bool](repeating: true, count: groups.count)
            /// Whether `r`, the answer to request `n`, is sent again; notes its `Retry-After`, reports a
            /// rate refusal to the gate.
            func retried(_ r: HTTPResponse, _ n: Int) -> Bool {
                if r.status == 429 || (r.status == 403 && isRetryableResponse(r)), let gate, let quota {
                    gate.rateLimited(keys: quota.keys, status: r.status, retryAfter: r.retryAfter)
                }
                guard RetryPolicy.isRetryable(status: r.status) || isRetryableResponse(r), !last,
                    replayable[n] || r.status == 429,
                    (r.retryAfter ?? 0) <= retry.maxRetryAfter
                else { return false }
                if let ra = r.retryAfter {
                    retryAfter = max(retryAfter ?? 0, ra)
                    notBefore = max(notBefore, Date().addingTimeInterval(ra))
                }
                return true
            }
            func settle(_ n: Int, _ outcome: TransferResult) {
                let group = groups[n]
                switch outcome {
                case .response(let r) where !r.isSuccess:
                    if retried(r, n) {
                        again += group
                    } else {
                        for i in group { answers[i] = .requestAnswered(r) }
                    }
                case .response(let r):
                    for (i, answer) in zip(group, format.answers(r, group.count)) {
                        if let answer, !retried(answer, n) {
                            answers[i] = .answered(answer)
                        } else if answer == nil && last {
                            answers[i] = .unanswered
                        } else {
                            again.append(i)
                        }
                    }
                case .failure(let code, let detail):
                    if RetryPolicy.isRetryable(curlCode: code) && !last && (replayable[n] || [6, 7].contains(code)) {
                        again += group
                    } else {
                        let host = URLComponents(string: urls[n])?.host ?? "the server"
                        for i in group {
                            answers[i] = .requestFailed(
                                AlmanacHTTPError.transport(host: host, curlCode: code, detail: detail))
                        }
                    }
                }
            }
            // Once an answer brings a `Retry-After`, nothing more is sent before it has passed.
            var sent = 0
            while sent < groups.count {
                let wait = notBefore.timeIntervalSinceNow
                if wait > 0 { sleep(wait) }
                let first = sent
                sent += try transport.stream(
                    count: groups.count - first,
                    request: { k in
                        let r = try format.request(groups[first + k].map { calls[$0] })
                        guard budget.take(1) else { throw AlmanacHTTPError.budgetExhausted(limit: budget.limit ?? 0) }
                        if let gate, let quota, r.url != quota.unmeteredURL {
                            gate.acquire(keys: quota.keys, tokens: groups[first + k].count)
                        }
                        urls[first + k] = r.url
                        replayable[first + k] = r.isReplayable
                        requestsSent += 1
                        return r
                    },
                    done: { k, outcome in
                        settle(first + k, outcome)
                        return notBefore > Date() ? .hold : .proceed
                    })
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
            pending = again.sorted()
        }
        return answers.map { $0! }
    }
}
