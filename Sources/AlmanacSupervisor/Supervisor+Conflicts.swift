import AlmanacCore
import AlmanacWire
import Foundation

extension Supervisor {
    /// Waits for the worker's answer to a `conflicts` request and answers with a `ConflictList`.
    func conflictsAnswer(_ name: String, _ box: MailBox<PipeMessage>) -> HTTPResponse {
        replyAnswer(box, missing: "no conflicts") { r in
            let conflicts = r.conflicts ?? []
            return ConflictList(profile: name, count: r.conflictCount ?? conflicts.count, conflicts: conflicts)
        }
    }
}
