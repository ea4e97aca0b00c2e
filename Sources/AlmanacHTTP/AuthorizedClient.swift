import AlmanacCore
import Foundation
import Logging

/// An `HTTPClient` that adds `Authorization: Bearer …` from an `OAuthTokenSource`, and on a 401
/// (to a request, or to a call inside a batch) refreshes the token once and resends what was
/// refused, once. Retries of any other failure are the `HTTPClient`'s alone.
public final class AuthorizedClient {
    public let http: HTTPClient
    public let tokens: OAuthTokenSource

    public init(http: HTTPClient, tokens: OAuthTokenSource) {
        self.http = http
        self.tokens = tokens
    }

    /// The client of one calendar connection (`kind`: google, cronofy): its transport, retries and
    /// request budget, tokens refreshed with `client`, rotated refresh tokens kept in
    /// `stateDirectory`. `isRetryableResponse` adds service-specific retryable answers. Its
    /// requests ask the process's `QuotaGates.current` on the keys of `QuotaKeys.of`.
    public convenience init(
        kind: String, connection: String, profile: String?, stateDirectory: URL, client: OAuthClient,
        refreshToken: String?, transport: TransportOptions, retry: RetryPolicy, requestBudget: Int?, logger: Logger,
        isRetryableResponse: @escaping @Sendable (HTTPResponse) -> Bool = { _ in false }
    ) {
        let http = HTTPClient(
            options: transport, retry: retry, budget: RequestBudget(limit: requestBudget), logger: logger)
        http.isRetryableResponse = isRetryableResponse
        http.quota = QuotaKeys(
            keys: QuotaKeys.of(
                kind: kind, clientID: client.clientID, quotaKey: transport.quotaKey, account: transport.quotaUser,
                profile: profile, connection: connection),
            unmeteredURL: client.tokenURL)
        let tokens = OAuthTokenSource(
            client: client, configuredRefreshToken: refreshToken,
            store: RefreshTokenStore(stateDirectory: stateDirectory, profile: profile, connection: connection),
            kind: kind, connection: connection, http: http)
        self.init(http: http, tokens: tokens)
    }

    /// The `authorize` step of a connection test: a token obtained, or why not (with "reconnect
    /// required" once the token endpoint refused the refresh token for good).
    public func authorizationStep() -> ConnectionReport.Step {
        do {
            try tokens.refresh()
            return .init(name: "authorize", ok: true, detail: "access token obtained from \(tokens.client.tokenURL)")
        } catch let e as AlmanacError {
            let detail = tokens.reconnectRequired ? "reconnect required: \(e.message)" : e.message
            return .init(name: "authorize", ok: false, detail: detail)
        } catch {
            return .init(name: "authorize", ok: false, detail: "\(error)")
        }
    }

    /// Sends one request; see `HTTPClient.send`. Also throws the token source's errors.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try sendAll([request])[0].get()
    }

    /// Sends requests concurrently; one result per request, in order.
    public func sendAll(_ requests: [HTTPRequest]) throws -> [Result<HTTPResponse, AlmanacError>] {
        var results = try http.sendAll(authorize(requests, token: try tokens.token()))
        let unauthorized = results.indices.filter { (try? results[$0].get())?.status == 401 }
        if !unauthorized.isEmpty {
            tokens.invalidate()
            let token = try tokens.token()
            let again = try http.sendAll(authorize(unauthorized.map { requests[$0] }, token: token))
            for (i, r) in zip(unauthorized, again) { results[i] = r }
        }
        return results
    }

    /// Sends calls in batches; see `HTTPClient.sendBatched`. Calls refused with 401 (their own
    /// answer or their batch's) are sent once more after the token is refreshed. Also throws the
    /// token source's errors.
    public func sendBatched<Call>(_ calls: [Call], as format: BatchFormat<Call>) throws -> [BatchAnswer] {
        var answers = try http.sendBatched(calls, as: authorized(format, token: try tokens.token()))
        let unauthorized = answers.indices.filter {
            switch answers[$0] {
            case .answered(let r), .requestAnswered(let r): return r.status == 401
            case .requestFailed, .unanswered: return false
            }
        }
        if !unauthorized.isEmpty {
            tokens.invalidate()
            let token = try tokens.token()
            let again = try http.sendBatched(unauthorized.map { calls[$0] }, as: authorized(format, token: token))
            for (i, a) in zip(unauthorized, again) { answers[i] = a }
        }
        return answers
    }

    private func authorized<Call>(_ format: BatchFormat<Call>, token: String) -> BatchFormat<Call> {
        let build = format.request
        return BatchFormat(
            maxCalls: format.maxCalls,
            request: {
                var r = try build($0)
                r.headers["Authorization"] = "Bearer \(token)"
                return r
            }, answers: format.answers)
    }

    private func authorize(_ requests: [HTTPRequest], token: String) -> [HTTPRequest] {
        requests.map {
            var r = $0
            r.headers["Authorization"] = "Bearer \(token)"
            return r
        }
    }
}
