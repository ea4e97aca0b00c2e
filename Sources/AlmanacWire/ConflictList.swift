import AlmanacCore

/// The body of `GET /v1/profiles/NAME/conflicts` and of `almanac conflicts --json`: the schedule
/// conflicts kept of the profile's jobs (or of the one asked for), as of each job's last run. `count` is how
/// many there are; `conflicts` lists at most `maxCount` of them, `more` those left out.
public struct ConflictList: Codable, Sendable, Hashable {
    /// As many conflicts as one answer carries (the worker's reply must fit in one pipe line).
    public static let maxCount = 1_000

    public var v: Int = Wire.version
    public var profile: String
    public var count: Int
    public var more: Int
    public var conflicts: [ScheduleConflict]

    public init(profile: String, count: Int, conflicts: [ScheduleConflict]) {
        self.profile = profile
        self.count = count
        self.more = max(0, count - conflicts.count)
        self.conflicts = conflicts
    }
}
