import Foundation

/// One RRULE of RFC 5545 §3.3.10, for the frequencies a calendar appointment uses (DAILY, WEEKLY,
/// MONTHLY, YEARLY) with every BYxxx part that applies to dates: BYMONTH, BYWEEKNO, BYYEARDAY,
/// BYMONTHDAY, BYDAY (with ordinals such as `-1FR`), BYSETPOS, and INTERVAL, COUNT, UNTIL, WKST.
///
/// The rule alone yields dates; the time of day, the zone and the DST rules come from the series
/// it belongs to (`RecurrenceSet`). HOURLY/MINUTELY/SECONDLY and BYHOUR/BYMINUTE/BYSECOND are
/// refused when parsing (`RecurrenceError.Code.unsupported`), so every instance of a series has
/// DTSTART's wall-clock time. `text` renders the rule back; parsing `text` gives an equal rule.
public struct RecurrenceRule: Hashable, Sendable {
    public enum Frequency: String, Hashable, Sendable, CaseIterable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
        case yearly = "YEARLY"
    }

    /// A day of the week, Monday first (ISO 8601 and iCalendar's default WKST).
    public enum Weekday: Int, Hashable, Sendable, CaseIterable, Comparable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        /// The iCalendar spelling: `MO` … `SU`.
        public var code: String { ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][rawValue] }

        public init?(code: some StringProtocol) {
            guard let i = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].firstIndex(of: code.uppercased()) else {
                return nil
            }
            self.init(rawValue: i)
        }

        /// The weekday of `date`.
        public init(_ date: CivilDate) {
            // 1970-01-01 was a Thursday.
            let d = (date.daysSince1970 + 3) % 7
            self.init(rawValue: d < 0 ? d + 7 : d)!
        }

        public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
    }

    /// A BYDAY entry: a weekday, with an ordinal inside the month or year (`2MO`, `-1FR`) or without (`TU`).
    public struct WeekdayNum: Hashable, Sendable, CustomStringConvertible {
        public var ordinal: Int?
        public var weekday: Weekday

        public init(_ weekday: Weekday, ordinal: Int? = nil) {
            self.weekday = weekday
            self.ordinal = ordinal
        }

        public var description: String { (ordinal.map(String.init) ?? "") + weekday.code }
    }

    /// The UNTIL bound, in the form it was written (RFC 5545 §3.3.10): a DATE, a UTC DATE-TIME
    /// (`…Z`), or a floating DATE-TIME. Which form fits which DTSTART, and how the others are
    /// read, is `RecurrenceSet`'s documented business.
    public enum Until: Hashable, Sendable, CustomStringConvertible {
        case date(CivilDate)
        case utc(WallTime)
        case floating(WallTime)

        public var description: String {
            switch self {
            case .date(let d): return Self.basic(d)
            case .utc(let w): return Self.basic(w) + "Z"
            case .floating(let w): return Self.basic(w)
            }
        }

        static func basic(_ d: CivilDate) -> String { String(format: "%04d%02d%02d", d.year, d.month, d.day) }

        static func basic(_ w: WallTime) -> String {
            basic(w.date) + String(format: "T%02d%02d%02d", w.time.hour, w.time.minute, w.time.second)
        }
    }

    public var frequency: Frequency
    /// Every `interval`-th period (≥ 1).
    public var interval: Int
    public var count: Int?
    public var until: Until?
    public var byMonth: [Int]
    public var byWeekNo: [Int]
    public var byYearDay: [Int]
    public var byMonthDay: [Int]
    public var byDay: [WeekdayNum]
    public var bySetPos: [Int]
    public var weekStart: Weekday

    /// A rule from its parts, unchecked; `validated()` applies the checks that parsing applies.
    public init(
        frequency: Frequency, interval: Int = 1, count: Int? = nil, until: Until? = nil, byMonth: [Int] = [],
        byWeekNo: [Int] = [], byYearDay: [Int] = [], byMonthDay: [Int] = [], byDay: [WeekdayNum] = [],
        bySetPos: [Int] = [], weekStart: Weekday = .monday
    ) {
        self.frequency = frequency
        self.interval = interval
        self.count = count
        self.until = until
        self.byMonth = byMonth
        self.byWeekNo = byWeekNo
        self.byYearDay = byYearDay
        self.byMonthDay = byMonthDay
        self.byDay = byDay
        self.bySetPos = bySetPos
        self.weekStart = weekStart
    }

    /// The rule as RRULE value text, parts in a fixed order (FREQ first; INTERVAL and WKST only
    /// when not the default), lists in the order given: `FREQ=MONTHLY;COUNT=10;BYDAY=-1FR`.
    public var text: String {
        func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
        var parts = ["FREQ=\(frequency.rawValue)"]
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        if let count { parts.append("COUNT=\(count)") }
        if let until { parts.append("UNTIL=\(until)") }
        if !byMonth.isEmpty { parts.append("BYMONTH=\(list(byMonth))") }
        if !byWeekNo.isEmpty { parts.append("BYWEEKNO=\(list(byWeekNo))") }
        if !byYearDay.isEmpty { parts.append("BYYEARDAY=\(list(byYearDay))") }
        if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=\(list(byMonthDay))") }
        if !byDay.isEmpty { parts.append("BYDAY=\(byDay.map(\.description).joined(separator: ","))") }
        if !bySetPos.isEmpty { parts.append("BYSETPOS=\(list(bySetPos))") }
        if weekStart != .monday { parts.append("WKST=\(weekStart.code)") }
        return parts.joined(separator: ";")
    }
}

extension RecurrenceRule: CustomStringConvertible {
    public var description: String { text }
}

extension RecurrenceRule: Codable {
    /// A rule is encoded as its `text`.
    public init(from decoder: any Decoder) throws {
        self = try RecurrenceRule(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
