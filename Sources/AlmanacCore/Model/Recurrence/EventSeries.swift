import Foundation

/// The recurrence of an event that is itself a recurring series (RFC 5545 §3.8.5): its RRULEs,
/// RDATEs and EXDATEs, and the exceptions a calendar made to single instances (moved or
/// cancelled, keyed by their original start). The event's `start` is DTSTART and its end gives
/// each instance's length; `set(start:end:)` is the `RecurrenceSet` to expand.
///
/// Text forms (docs/RECURRENCE.md "Through the engine"): a rule is RRULE's value
/// (`FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH`, an `RRULE:` prefix accepted); a date list is
/// comma-separated RFC 5545 values in the event's zone (`20270302T090000`, `…Z` for UTC,
/// `20270302` for an all-day series), `YYYY-MM-DD HH:MM[:SS]` accepted on input.
public struct EventSeries: Hashable, Sendable, Codable {
    public var rules: [RecurrenceRule]
    public var rdates: [EventTime]
    public var exdates: [EventTime]
    public var exceptions: [RecurrenceSet.Exception]

    public init(
        rules: [RecurrenceRule], rdates: [EventTime] = [], exdates: [EventTime] = [],
        exceptions: [RecurrenceSet.Exception] = []
    ) {
        self.rules = rules
        self.rdates = rdates
        self.exdates = exdates
        self.exceptions = exceptions
    }

    /// The series from its text forms (source columns): nil when `rrule` and `rdate` are both
    /// empty. Throws `RecurrenceError` for a rule or a date that cannot be read.
    public static func parse(rrule: String?, rdate: String?, exdate: String?, zone: TimeZone, allDay: Bool) throws
        -> EventSeries?
    {
        let rules = try (rrule ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r" }).compactMap {
            line -> RecurrenceRule? in
            var text = line.trimmingCharacters(in: .whitespaces)
            if text.uppercased().hasPrefix("RRULE:") { text = String(text.dropFirst(6)) }
            return text.isEmpty ? nil : try RecurrenceRule(parsing: text)
        }
        let rdates = try dates(rdate, "RDATE", zone: zone, allDay: allDay)
        guard !rules.isEmpty || !rdates.isEmpty else { return nil }
        return EventSeries(
            rules: rules, rdates: rdates, exdates: try dates(exdate, "EXDATE", zone: zone, allDay: allDay))
    }

    /// A comma-separated date list (see the type) as times in `zone`.
    public static func dates(_ text: String?, _ part: String, zone: TimeZone, allDay: Bool) throws -> [EventTime] {
        try (text ?? "").split(separator: ",").compactMap { item -> EventTime? in
            var v = item.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
            guard !v.isEmpty else { return nil }
            v = v.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            if v.count == 13 || (v.count == 14 && v.hasSuffix("Z")) {
                v.insert(contentsOf: "00", at: v.index(v.startIndex, offsetBy: 13))
            }
            let until: RecurrenceRule.Until
            do { until = try RecurrenceRule.until(v) } catch {
                throw RecurrenceError(
                    .invalidValue, part: part, value: String(item),
                    "expected YYYYMMDD, YYYYMMDDTHHMMSS[Z] or YYYY-MM-DD HH:MM[:SS], separated by commas")
            }
            switch (until, allDay) {
            case (.date(let d), true): return .allDay(d)
            case (.floating(let w), false): return .instant(w.resolve(in: zone), timeZone: zone.identifier)
            case (.utc(let w), false): return .instant(w.resolve(in: .gmt), timeZone: zone.identifier)
            default:
                throw RecurrenceError(
                    .invalidSeries, part: part, value: String(item),
                    allDay ? "an all-day series takes dates only" : "a timed series takes date-times only")
            }
        }
    }

    /// `times` as a date list in `zone` (wall-clock values, dates for all-day), in order.
    public static func text(_ times: [EventTime], zone: TimeZone) -> String {
        sorted(times).map { t in
            switch t {
            case .allDay(let d): return RecurrenceRule.Until.basic(d)
            case .instant(let d, _): return RecurrenceRule.Until.basic(WallTime(d, in: zone))
            }
        }.joined(separator: ",")
    }

    /// The rules as RRULE values, one a line.
    public var ruleText: String { rules.map(\.text).joined(separator: "\n") }

    /// What a side that holds only RRULE, RDATE and EXDATE (a source row) makes of the series: a
    /// cancelled instance is an EXDATE of its original start, a moved one an EXDATE of its
    /// original start and an RDATE of its new start; the lists sorted, without repeats.
    public var flattened: EventSeries {
        var ex = exdates
        var r = rdates
        for e in exceptions {
            ex.append(e.originalStart)
            if case .moved(let start, _) = e.change { r.append(start) }
        }
        return EventSeries(rules: rules, rdates: Self.sorted(r), exdates: Self.sorted(ex))
    }

    /// The series' content as the engine compares it: the flattened rules and dates, instants in
    /// whole seconds (their zone is not content), dates as dates.
    public var canonical: String {
        let f = flattened
        func list(_ ts: [EventTime]) -> String { ts.map(Self.token).joined(separator: ",") }
        return f.rules.map(\.text).joined(separator: "\n") + "|R" + list(f.rdates) + "|X" + list(f.exdates)
    }

    /// The `RecurrenceSet` of the series for an event starting at `start` and ending at `end`.
    /// Throws `RecurrenceError` as `RecurrenceSet.init` does.
    public func set(start: EventTime, end: EventTime?) throws -> RecurrenceSet {
        var duration: Int?
        switch (start, end) {
        case (.instant(let s, _), .instant(let e, _)?): duration = Int(e.timeIntervalSince(s).rounded())
        case (.allDay(let s), .allDay(let e)?): duration = e.daysSince1970 - s.daysSince1970
        default: duration = nil
        }
        func moment(_ t: EventTime) -> RecurrenceSet.Moment {
            switch t {
            case .allDay(let d): return .date(d)
            case .instant(let d, _): return .utc(d)
            }
        }
        return try RecurrenceSet(
            start: RecurrenceSet.Start(eventStart: start), duration: duration, rules: rules,
            rdates: rdates.map(moment), exdates: exdates.map(moment), exceptions: exceptions)
    }

    /// A time as the series' content compares it: whole seconds of an instant, `D` and a date.
    public static func token(_ t: EventTime) -> String {
        switch t {
        case .allDay(let d): return "D" + d.description
        case .instant(let d, _): return String(Int64(d.timeIntervalSince1970.rounded()))
        }
    }

    static func sorted(_ times: [EventTime]) -> [EventTime] {
        var seen = Set<String>()
        return times.sorted { $0.date(in: .gmt) < $1.date(in: .gmt) }.filter { seen.insert(token($0)).inserted }
    }
}
