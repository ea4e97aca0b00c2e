import Foundation

/// One appointment of a `ScheduleConflict`, as the job holds it after the run: its keys on each
/// side (nil where it does not exist), the sides it is on, its title and its times.
public struct ConflictAppointment: Sendable, Codable, Hashable {
    public var keyFrom: String?
    public var keyTo: String?
    /// `from`, `to` or both, in that order.
    public var sides: [String]
    public var title: String?
    /// ISO 8601 instants for timed events; `YYYY-MM-DD` dates (end exclusive) for all-day ones.
    public var start: String
    public var end: String?
    public var allDay: Bool

    public init(
        keyFrom: String?, keyTo: String?, title: String?, start: String, end: String?, allDay: Bool
    ) {
        self.keyFrom = keyFrom
        self.keyTo = keyTo
        self.sides = (keyFrom == nil ? [] : ["from"]) + (keyTo == nil ? [] : ["to"])
        self.title = title
        self.start = start
        self.end = end
        self.allDay = allDay
    }

    enum CodingKeys: String, CodingKey {
        case keyFrom = "key_from", keyTo = "key_to", sides, title, start, end, allDay = "all_day"
    }
}

/// Two appointments of one job that overlap in time and share a value of a `conflicts.by` field
/// (the same participant, the same room). Reported, never resolved.
public struct ScheduleConflict: Sendable, Codable, Hashable {
    /// The job.
    public var job: String
    /// The field of `conflicts.by` the two share (`participant_0_email`, `custom.room`).
    public var field: String
    /// The shared value, normalised (trimmed, case-folded).
    public var value: String
    /// The appointment that starts first (on equal starts, the one with the smaller key).
    public var first: ConflictAppointment
    public var second: ConflictAppointment

    public init(job: String, field: String, value: String, first: ConflictAppointment, second: ConflictAppointment) {
        self.job = job
        self.field = field
        self.value = value
        self.first = first
        self.second = second
    }
}

/// What a run reports of the job's schedule conflicts: how many there are and the first of them
/// (`reportLimit`); `more` counts those left out; `digest` tells one whole set from another (a
/// `conflict` notice goes out only when it changes).
public struct ConflictSummary: Sendable, Codable, Hashable {
    public var count: Int
    public var pairs: [ScheduleConflict]
    public var more: Int
    /// SHA-256 (hex) of the whole set: the same conflicts give the same digest in any order.
    public var digest: String

    /// How many conflicts a run report lists.
    public static let reportLimit = 10

    public init(_ all: [ScheduleConflict]) {
        count = all.count
        pairs = Array(all.prefix(Self.reportLimit))
        more = max(0, all.count - Self.reportLimit)
        digest = Self.digest(all)
    }

    static func digest(_ all: [ScheduleConflict]) -> String {
        let lines = all.map { c in
            [
                c.job, c.field, c.value, c.first.keyFrom ?? "", c.first.keyTo ?? "", c.first.start, c.first.end ?? "",
                c.second.keyFrom ?? "", c.second.keyTo ?? "", c.second.start, c.second.end ?? "",
                c.first.title ?? "", c.second.title ?? "",
            ].joined(separator: "\u{1F}")
        }
        var hash = SHA256()
        for line in lines.sorted() { hash.update(line + "\n") }
        return SHA256.hexString(hash.finalize())
    }
}
