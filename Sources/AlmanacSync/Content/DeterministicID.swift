import AlmanacCore

/// Ids of the items the engine creates (ARCHITECTURE.md §5): lowercase hex SHA-256 of profile, job,
/// direction, source key and generation. 64 characters of `0-9a-f`: a valid Google event id
/// (base32hex, 5–1024 characters) and Cronofy `event_id`.
///
/// The same inputs always give the same id, so a create retried after a crash finds the item it
/// made before (Google answers 409, the memory connector a conflict, an upsert lands on it). A
/// re-creation after the other side deleted the item uses the next generation, because deleted
/// ids stay reserved on Google.
public enum DeterministicID {
    /// `direction` is `to` for items created on the job's `to` side, `from` for write-back creates.
    public static func make(
        profile: String, job: String, direction: ConnectorContext.Side, sourceKey: String,
        generation: Int
    ) -> String {
        SHA256.hex(
            "almanac\u{1f}\(profile)\u{1f}\(job)\u{1f}\(direction.rawValue)\u{1f}\(sourceKey)\u{1f}\(generation)")
    }
}
