import AlmanacCore
import AlmanacSync
import AlmanacWire

extension WorkerRuntime {
    /// The answer to a `conflicts` request: the conflicts kept in the state file.
    func conflictsReply(_ m: PipeMessage.Conflicts, profile: Profile, store: StateStore) -> PipeMessage.Reply {
        if let job = m.job, !profile.jobs.contains(where: { $0.name == job }) {
            return .init(id: m.id, ok: false, error: "profile \(profile.name) has no job named \"\(job)\"")
        }
        do {
            let all = try store.conflicts(job: m.job)
            return .init(
                id: m.id, ok: true, conflicts: Array(all.prefix(ConflictList.maxCount)), conflictCount: all.count)
        } catch {
            return .init(id: m.id, ok: false, error: "cannot read the schedule conflicts: \(error)")
        }
    }
}
