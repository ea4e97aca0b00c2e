import AlmanacCore

/// Errors of the HTTP layer, as `AlmanacError`s with stable codes.
public enum AlmanacHTTPError {
    /// A transfer failed below HTTP (DNS, connect, TLS, reset, timeout). `host` only, never a URL
    /// with a query.
    public static func transport(host: String, curlCode: Int, detail: String) -> AlmanacError {
        let code: ErrorCode =
            curlCode == 28 ? "http.timeout" : (curlCode == 60 || curlCode == 35 ? "http.tls" : "http.transport")
        return AlmanacError(code, "cannot reach \(host): \(detail)", cause: "curl error \(curlCode)")
    }

    /// The connection's request budget for this run is spent.
    public static func budgetExhausted(limit: Int) -> AlmanacError {
        AlmanacError(
            "http.budget_exhausted",
            "the request budget of \(limit) requests for this run is spent; raise request_budget or wait for the next run"
        )
    }

    public static func badBody(expected: String, status: Int) -> AlmanacError {
        AlmanacError("http.bad_body", "the server answered \(status) with a body that is not the expected \(expected)")
    }
}
