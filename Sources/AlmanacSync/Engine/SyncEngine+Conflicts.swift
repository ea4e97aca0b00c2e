import AlmanacCore
import Foundation

extension SyncEngine {
    /// The job's schedule conflicts after a run that applied (`conflicts.by`), over the state's
    /// items, summed up in `report`; empty when the job declares none (the stored ones are then
    /// cleared). Nil after a failed or blocked run, or when the state cannot be read: the stored
    /// ones are kept.
    func conflictsAfter(_ report: inout RunReport) -> [ScheduleConflict]? {
        guard report.result == .success || report.result == .partial else { return nil }
        guard let by = job.config.conflicts, !by.isEmpty else { return [] }
        guard let states = try? store.items(job: job.config.name, withBases: true) else { return nil }
        let found = ConflictFinder(job: job.config.name, fields: by).conflicts(states: states)
        report.conflicts = ConflictSummary(found)
        return found
    }
}
