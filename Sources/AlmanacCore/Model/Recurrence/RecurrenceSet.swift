import Foundation

/// A recurring appointment's schedule (RFC 5545 §3.8.5): DTSTART, its RRULEs, RDATEs and EXDATEs,
/// and the exceptions made to single instances (moved or cancelled), each keyed by the start the
/// instance had before it was changed (its RECURRENCE-ID, Google's `originalStartTime`).
///
/// `instances(from:to:)` expands it inside a window. Time zones and DST (docs/RECURRENCE.md):
/// - a zoned series keeps DTSTART's wall-clock time in its IANA zone on every day the rules yield;
/// - a wall time that does not exist on that day (in the spring-forward gap) is read with the UTC
///   offset in force before the gap, i.e. moved forward by the gap's length (RFC 5545 §3.3.10 and
///   §3.3.5: 02:30 on the day Chicago jumps from 02:00 to 03:00 is 03:30 CDT), and still counts;
/// - a wall time that occurs twice (in the fall-back overlap) is its first occurrence;
/// - a floating series (no zone) and an all-day series are read in the zone the caller names.
public struct RecurrenceSet: Hashable, Sendable {
    /// DTSTART: a wall-clock time in a named IANA zone, a floating wall-clock time, or a date.
    public enum Start: Hashable, Sendable {
        case zoned(WallTime, TimeZone)
        case floating(WallTime)
        case allDay(CivilDate)

        /// DTSTART from an event's start: a date stays a date; an instant with a zone name is the
        /// wall-clock time it shows in that zone (the zone the series repeats in); an instant
        /// without one is read in UTC. Throws `RecurrenceError` (`.invalidSeries`) for a zone name
        /// the zone database does not know.
        public init(eventStart: EventTime) throws {
            switch eventStart {
            case .allDay(let d): self = .allDay(d)
            case .instant(let instant, let name):
                guard let zone = name.map({ TimeZone(identifier: $0) }) ?? TimeZone(identifier: "UTC") else {
                    throw RecurrenceError(
                        .invalidSeries, part: "DTSTART", value: name ?? "",
                        "not an IANA time zone name (e.g. Europe/Berlin)")
                }
                self = .zoned(WallTime(instant, in: zone), zone)
            }
        }

        /// DTSTART's date (the day the rules count from).
        public var date: CivilDate {
            switch self {
            case .zoned(let w, _), .floating(let w): return w.date
            case .allDay(let d): return d
            }
        }
    }

    /// An RDATE or EXDATE value. For a zoned or floating series a `.local` value is a wall-clock
    /// time in the series' zone (read like DTSTART) and `.utc` an instant; for an all-day series
    /// only `.date` fits (RFC 5545: RDATE and EXDATE take DTSTART's value type).
    public enum Moment: Hashable, Sendable {
        case local(WallTime)
        case utc(Date)
        case date(CivilDate)
    }

    /// A change made to one instance, keyed by the instance's original start.
    public struct Exception: Hashable, Sendable, Codable {
        public enum Change: Hashable, Sendable, Codable {
            /// The instance does not take place (a cancelled occurrence; unlike an EXDATE it is
            /// an event of its own on calendars that keep it, e.g. Google's `status: cancelled`).
            case cancelled
            /// The instance takes place at `start`, ending at `end` (nil: the series' duration).
            case moved(start: EventTime, end: EventTime?)
        }

        /// The start the instance has in the expanded series (an instant, or a date for all-day series).
        public var originalStart: EventTime
        public var change: Change

        public init(originalStart: EventTime, change: Change) {
            self.originalStart = originalStart
            self.change = change
        }
    }

    public var start: Start
    /// The length of each instance: seconds for a timed series, days for an all-day series
    /// (nil: instances carry no end).
    public var duration: Int?
    public var rules: [RecurrenceRule]
    public var rdates: [Moment]
    public var exdates: [Moment]
    public var exceptions: [Exception]

    /// Builds a set and checks that its parts fit together; throws `RecurrenceError` with code
    /// `.invalidSeries` for an RDATE/EXDATE of another value type than DTSTART's, or `.conflict`
    /// for a rule RFC 5545 forbids (`RecurrenceRule.validate()`).
    public init(
        start: Start, duration: Int? = nil, rules: [RecurrenceRule] = [], rdates: [Moment] = [],
        exdates: [Moment] = [], exceptions: [Exception] = []
    ) throws {
        self.start = start
        self.duration = duration
        self.rules = rules
        self.rdates = rdates
        self.exdates = exdates
        self.exceptions = exceptions
        for rule in rules { try rule.validate() }
        let allDay: Bool
        if case .allDay = start { allDay = true } else { allDay = false }
        for (name, list) in [("RDATE", rdates), ("EXDATE", exdates)] {
            for m in list {
                let isDate: Bool
                if case .date = m { isDate = true } else { isDate = false }
                if isDate != allDay {
                    throw RecurrenceError(
                        .invalidSeries, part: name, value: "\(m)",
                        allDay ? "an all-day series takes dates only" : "a timed series takes date-times only")
                }
            }
        }
    }

    /// One instance of the expanded set.
    public struct Instance: Hashable, Sendable {
        /// The start the rules give it (the key exceptions and `RecurrenceInstance` use).
        public var originalStart: EventTime
        public var start: EventTime
        public var end: EventTime?
        /// The instance was moved by an exception.
        public var moved: Bool

        public init(originalStart: EventTime, start: EventTime, end: EventTime?, moved: Bool) {
            self.originalStart = originalStart
            self.start = start
            self.end = end
            self.moved = moved
        }
    }
}
