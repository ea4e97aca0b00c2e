import AlmanacCore

extension RunNotifications {
    /// The `conflict` notice a run calls for: when it reports the job's schedule conflicts
    /// (`conflicts.by`), they are not none, and their set is not the one last seen. Records the
    /// set as seen in `state` (whether or not a notice goes out), so an unchanged set is never
    /// sent again, and a set that cleared and came back is.
    static func conflictNotice(
        after report: RunReport, seen state: inout JobNotifyState, before: JobNotifyState
    ) -> Notification? {
        // `JobNotifyState.next` starts afresh on a recovery: the conflicts seen carry over.
        state.conflicts = before.conflicts
        guard !report.dryRun, let summary = report.conflicts, summary.digest != before.conflicts else { return nil }
        state.conflicts = summary.digest
        guard summary.count > 0 else { return nil }
        var notice = Notification(event: .conflict, report: report, since: nil)
        notice.conflicts = summary
        return notice
    }
}
