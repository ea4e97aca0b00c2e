import AlmanacCore
import Foundation

/// How a service carries several calls in one request (Google's `multipart/mixed` batch,
/// Cronofy's `POST /v1/batch`): how many calls fit in one request, the request for a group of
/// calls, and each call's own answer inside the request's answer. `HTTPClient.sendBatched`
/// retries each call by the client's one `RetryPolicy`, whether its request failed or only its
/// own answer did.
public struct BatchFormat<Call>: Sendable {
    /// Calls per request (≥ 1).
    public var maxCalls: Int
    /// The request carrying `calls`.
    public var request: @Sendable ([Call]) throws -> HTTPRequest
    /// The answers of the calls of a request answered 2xx, one per call in order; nil for a call
    /// the answer does not cover (it is sent again like a retryable answer).
    public var answers: @Sendable (_ response: HTTPResponse, _ calls: Int) -> [HTTPResponse?]

    public init(
        maxCalls: Int, request: @escaping @Sendable ([Call]) throws -> HTTPRequest,
        answers: @escaping @Sendable (_ response: HTTPResponse, _ calls: Int) -> [HTTPResponse?]
    ) {
        self.maxCalls = max(1, maxCalls)
        self.request = request
        self.answers = answers
    }

    /// One call per request, answered by the request's own answer.
    public static var single: BatchFormat<HTTPRequest> {
        BatchFormat<HTTPRequest>(maxCalls: 1, request: { $0[0] }, answers: { response, _ in [response] })
    }
}

/// What became of one call sent by `HTTPClient.sendBatched`, after the client's retries.
public enum BatchAnswer: Sendable {
    /// The call's own answer: a success, an error that is not retried, or a retryable one after
    /// the last attempt.
    case answered(HTTPResponse)
    /// The request carrying the call was answered with a status other than 2xx (after the last
    /// attempt when retryable): that answer.
    case requestAnswered(HTTPResponse)
    /// The request carrying the call failed below HTTP on its last attempt (or not retryably).
    case requestFailed(AlmanacError)
    /// The request was answered, but never with an answer for this call.
    case unanswered

    /// The answer for the caller of a one-call-per-request exchange (`BatchFormat.single`).
    var single: Result<HTTPResponse, AlmanacError> {
        switch self {
        case .answered(let r), .requestAnswered(let r): return .success(r)
        case .requestFailed(let e): return .failure(e)
        case .unanswered: return .failure(AlmanacError(.httpNoAnswer, "the server sent no answer for the request"))
        }
    }
}
