import AlmanacCore

/// Errors of the HTTP layer, as `AlmanacError`s with stable codes.
public enum AlmanacHTTPError {
    /// A transfer failed below HTTP (DNS, connect, TLS, reset, timeout). `host` only, never a URL
    /// with a query. Retryable except for TLS failures (a certificate does not fix itself).
    public static func transport(host: String, curlCode: Int, detail: String) -> AlmanacError {
        let tls = curlCode == 60 || curlCode == 35
        let code: ErrorCode = curlCode == 28 ? .httpTimeout : (tls ? .httpTLS : .httpTransport)
        return AlmanacError(
            code, "cannot reach \(host): \(detail)", cause: CurlFailure(code: curlCode), retryable: !tls)
    }

    /// Whether an answer that is still an error after the client's own retries may succeed on a
    /// later run with nothing changed: 429 and 5xx.
    public static func isTransient(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

    /// The connection's request budget for this run is spent.
    public static func budgetExhausted(limit: Int) -> AlmanacError {
        AlmanacError(
            .httpBudgetExhausted,
            "the request budget of \(limit) requests for this run is spent; raise request_budget or wait for the next run"
        )
    }

    public static func badBody(expected: String, status: Int, cause: (any Error)? = nil) -> AlmanacError {
        AlmanacError(
            .httpBadBody, "the server answered \(status) with a body that is not the expected \(expected)",
            cause: cause)
    }
}

/// A libcurl result code, the cause of a transport error: `curl error 7`.
public struct CurlFailure: Error, Hashable, CustomStringConvertible {
    public var code: Int
    public var description: String { "curl error \(code)" }
}
