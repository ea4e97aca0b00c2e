import AlmanacCore
import AlmanacWire
import Foundation

extension Supervisor {
    /// Waits for the worker's answer to a `conflicts` request and answers with a `ConflictList`.
    func conflictsAnswer(_ name: String, _ box: MailBox<PipeMessage>) -> HTTPResponse {
        let line = Supervisor.ndjson
        return .deferred {
            let status: Int
            let body: String
            switch box.next(timeout: 30) {
            case .item(.reply(let r)) where r.ok:
                status = 200
                let conflicts = r.conflicts ?? []
                body = line(
                    ConflictList(profile: name, count: r.conflictCount ?? conflicts.count, conflicts: conflicts))
            case .item(.reply(let r)):
                status = 404
                body = line(ActionResult(ok: false, message: r.error ?? "no conflicts", code: .apiNotFound))
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
