import AlmanacCore
import AlmanacWire
import Foundation

/// The query of `GET /v1/profiles/NAME/runs`: `job` (default: every job) and `limit` (1 to
/// `maxLimit`, default 20).
struct HistoryQuery: Sendable, Hashable {
    static let defaultLimit = 20
    /// As many runs as one `history` reply carries.
    static let maxLimit = 500
    static let usage = "limit must be a whole number from 1 to \(maxLimit)"

    var job: String?
    var limit: Int

    /// Nil when `limit` is not a number in range.
    init?(_ query: [String: String]) {
        job = query["job"].flatMap { $0.isEmpty ? nil : $0 }
        guard let text = query["limit"] else {
            limit = Self.defaultLimit
            return
        }
        guard let n = Int(text), (1...Self.maxLimit).contains(n) else { return nil }
        limit = n
    }

    func message(id: String) -> PipeMessage.History { .init(id: id, job: job, limit: limit) }
}

extension Supervisor {
    /// Waits for the worker's answer to a `history` request and answers with a `RunHistory`.
    func historyAnswer(_ name: String, _ box: MailBox<PipeMessage>) -> HTTPResponse {
        replyAnswer(box, missing: "no history") { RunHistory(profile: name, runs: $0.runs ?? []) }
    }

    /// Waits for the worker's reply on `box`: 200 with `answer(reply)` when it is ok, 404 with its
    /// error (or `missing`) when not, 504 when none comes within 30 s, 409 when the worker went away.
    func replyAnswer<Answer: Encodable & Sendable>(
        _ box: MailBox<PipeMessage>, missing: String,
        _ answer: @escaping @Sendable (PipeMessage.Reply) -> Answer
    ) -> HTTPResponse {
        let line = Supervisor.ndjson
        return .deferred {
            let status: Int
            let body: String
            switch box.next(timeout: 30) {
            case .item(.reply(let r)) where r.ok:
                status = 200
                body = line(answer(r))
            case .item(.reply(let r)):
                status = 404
                body = line(ActionResult(ok: false, message: r.error ?? missing, code: .apiNotFound))
            case .item, .timedOut:
                status = 504
                body = line(
                    ActionResult(ok: false, message: "no answer from the worker within 30s", code: .apiTimeout))
            case .closed(let e):
                status = 409
                body = line(
                    ActionResult(ok: false, message: e ?? "the worker went away", code: .profileRequestFailed))
            }
            return (status, "application/json", { write in _ = write(body) })
        }
    }
}
