import Foundation

extension CronofyFake {
    /// Changes the fields of a live event (by `event_id`, else `event_uid`: managed or made in the
    /// calendar) as a calendar user would, in upsert form (`summary`, `start`, `end`, `location`
    /// as `{description}`, `attendees` as `[{email, display_name, status}]`); bumps `updated`.
    public func edit(key: String, _ change: (inout [String: Any]) -> Void) {
        lock.withLock {
            guard let uid = liveRecord(key) else { return }
            change(&records[uid]!.fields)
            records[uid]!.updated = Date()
        }
    }

    /// Deletes a live event (by `event_id`, else `event_uid`) as a calendar user would.
    public func userDelete(key: String) {
        lock.withLock {
            guard let uid = liveRecord(key) else { return }
            records[uid]!.deleted = true
            records[uid]!.updated = Date()
        }
    }

    /// The record of the live event keyed `key` (caller holds the lock).
    private func liveRecord(_ key: String) -> String? {
        records.first { !$0.value.deleted && ($0.value.eventID ?? $0.value.eventUID) == key }?.key
    }
}
