import AlmanacCore
import Foundation

/// Computes a job's schedule conflicts (`conflicts.by`) over the items it holds after a run.
///
/// The items are the state's: one per link, so an appointment on both sides counts once, with
/// the content last synced (the base). Cancelled items are ignored. For each field and each
/// non-empty value (trimmed, case-folded), the items' times are half-open `[start, end)`, so
/// back-to-back appointments do not conflict. A timed item without an end takes no time. All-day
/// items conflict only with all-day items of the same value (their dates, end exclusive, one day
/// when no end is given): an all-day entry is most often a marker that does not book the person
/// or room for the day's timed appointments.
public struct ConflictFinder: Sendable {
    public var job: String
    public var fields: [ConflictField]

    public init(job: String, fields: [ConflictField]) {
        self.job = job
        self.fields = fields
    }

    /// One appointment held by the job, with its content.
    public struct Held: Sendable {
        public var keyFrom: String?
        public var keyTo: String?
        public var event: Event

        public init(keyFrom: String?, keyTo: String?, event: Event) {
            self.keyFrom = keyFrom
            self.keyTo = keyTo
            self.event = event
        }
    }

    /// The conflicts among the state's items (those with a readable base).
    public func conflicts(states: [ItemState]) -> [ScheduleConflict] {
        conflicts(states.compactMap { s in s.base.map { Held(keyFrom: s.keyFrom, keyTo: s.keyTo, event: $0) } })
    }

    /// The conflicts among `items`: per field in `fields` order, per value in order, by the
    /// first appointment's start, then the second's.
    public func conflicts(_ items: [Held]) -> [ScheduleConflict] {
        let live = items.filter { $0.event.status != .cancelled }
        let spans = live.map(Self.span)
        var out: [ScheduleConflict] = []
        for field in fields {
            // Timed and all-day items never meet: they are grouped apart.
            var groups: [GroupKey: [Int]] = [:]
            for (i, item) in live.enumerated() {
                guard let value = field.value(in: item.event) else { continue }
                groups[GroupKey(value: value, allDay: spans[i].allDay), default: []].append(i)
            }
            for key in groups.keys.sorted() {
                let members = groups[key]!
                let pairs = ConflictSweep.overlaps(members.map { (spans[$0].start, spans[$0].end) })
                for (a, b) in pairs {
                    out.append(
                        ScheduleConflict(
                            job: job, field: field.description, value: key.value,
                            first: Self.appointment(live[members[a]]), second: Self.appointment(live[members[b]])))
                }
            }
        }
        return out
    }

    struct GroupKey: Hashable, Comparable {
        var value: String
        var allDay: Bool
        static func < (a: GroupKey, b: GroupKey) -> Bool {
            a.value != b.value ? a.value < b.value : (!a.allDay && b.allDay)
        }
    }

    /// The item's time as numbers: seconds for timed items, day numbers for all-day ones.
    static func span(_ item: Held) -> (start: Double, end: Double, allDay: Bool) {
        switch (item.event.start, item.event.end) {
        case (.allDay(let s), let end):
            let first = dayNumber(s)
            let last: Double
            if case .allDay(let e)? = end { last = dayNumber(e) } else { last = first + 1 }
            return (first, last, true)
        case (.instant(let s, _), let end):
            let from = s.timeIntervalSince1970
            if case .instant(let e, _)? = end { return (from, e.timeIntervalSince1970, false) }
            return (from, from, false)
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    static func dayNumber(_ d: CivilDate) -> Double {
        let y = d.month <= 2 ? d.year - 1 : d.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (d.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + d.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Double(era * 146_097 + doe - 719_468)
    }

    static func appointment(_ item: Held) -> ConflictAppointment {
        ConflictAppointment(
            keyFrom: item.keyFrom, keyTo: item.keyTo, title: item.event.title, start: text(item.event.start),
            end: item.event.end.map(text), allDay: item.event.start.isAllDay)
    }

    static func text(_ t: EventTime) -> String {
        switch t {
        case .instant(let d, _): return d.formatted(.iso8601)
        case .allDay(let c): return c.description
        }
    }
}
