import AlmanacCore
import Foundation

/// A recurring event's `recurrence` lines and exceptions, for jobs with `recurrence = "series"`
/// (README "Recurring events").
///
/// Written: `RRULE:` lines, then `RDATE` and `EXDATE` with `TZID=` the start's zone (`VALUE=DATE`
/// for an all-day series); a cancelled exception is written as an EXDATE. A moved exception is not
/// written (Google keeps it as an instance of its own). Read: the same lines, and the series'
/// exceptions from `events.instances`: a cancelled instance is `.cancelled`, an instance whose
/// start or end is not the one the series gives it is `.moved`.
enum GoogleSeries {
    /// The `recurrence` lines of `series` for an event starting at `start` (`zone` when the
    /// start names none).
    static func lines(_ series: EventSeries, start: EventTime, zone: TimeZone) -> [String] {
        var out = series.rules.map { "RRULE:" + $0.text }
        let seriesZone = start.zoneName.flatMap(TimeZone.init(identifier:)) ?? zone
        let head = start.isAllDay ? ";VALUE=DATE:" : ";TZID=\(seriesZone.identifier):"
        var ex = series.exdates
        for e in series.exceptions where e.change == .cancelled { ex.append(e.originalStart) }
        if !series.rdates.isEmpty { out.append("RDATE" + head + EventSeries.text(series.rdates, zone: seriesZone)) }
        if !ex.isEmpty { out.append("EXDATE" + head + EventSeries.text(ex, zone: seriesZone)) }
        return out
    }

    /// The series of `recurrence` lines for an event starting at `start`; nil when the lines hold
    /// no RRULE or RDATE. Throws `RecurrenceError` for a line that cannot be read.
    static func series(_ lines: [String], start: EventTime, zone: TimeZone) throws -> EventSeries? {
        var rules: [String] = []
        var rdates: [EventTime] = []
        var exdates: [EventTime] = []
        let seriesZone = start.zoneName.flatMap(TimeZone.init(identifier:)) ?? zone
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let head = line[..<colon].split(separator: ";")
            let value = String(line[line.index(after: colon)...])
            let name = head.first?.uppercased() ?? ""
            var valueZone = seriesZone
            for p in head.dropFirst() where p.uppercased().hasPrefix("TZID=") {
                valueZone = TimeZone(identifier: String(p.dropFirst(5))) ?? seriesZone
            }
            switch name {
            case "RRULE": rules.append(value)
            case "RDATE": rdates += try EventSeries.dates(value, name, zone: valueZone, allDay: start.isAllDay)
            case "EXDATE": exdates += try EventSeries.dates(value, name, zone: valueZone, allDay: start.isAllDay)
            default: continue
            }
        }
        let parsed = try rules.map { try RecurrenceRule(parsing: $0) }
        guard !parsed.isEmpty || !rdates.isEmpty else { return nil }
        return EventSeries(rules: parsed, rdates: rdates, exdates: exdates)
    }

    /// The exceptions among a series' instances (as `events.instances` lists them with
    /// `showDeleted`), for instances `length` seconds long (days for all-day ones).
    static func exceptions(_ instances: [GoogleEventResource], length: Int?) -> [RecurrenceSet.Exception] {
        var out: [RecurrenceSet.Exception] = []
        for i in instances {
            guard let original = GoogleMapping.time(i.originalStartTime) else { continue }
            if i.status == "cancelled" {
                out.append(RecurrenceSet.Exception(originalStart: original, change: .cancelled))
                continue
            }
            guard let start = GoogleMapping.time(i.start) else { continue }
            let end = GoogleMapping.time(i.end)
            let expectedEnd: EventTime?
            switch (original, length) {
            case (.instant(let d, let z), let l?): expectedEnd = .instant(d.addingTimeInterval(Double(l)), timeZone: z)
            case (.allDay(let d), let l?): expectedEnd = .allDay(d.adding(days: l))
            default: expectedEnd = nil
            }
            let moved =
                EventSeries.token(start) != EventSeries.token(original)
                || (end != nil && expectedEnd != nil && EventSeries.token(end!) != EventSeries.token(expectedEnd!))
            if moved {
                out.append(RecurrenceSet.Exception(originalStart: original, change: .moved(start: start, end: end)))
            }
        }
        return out
    }

    /// The length of a series' instances: seconds, or days for an all-day series.
    static func length(start: EventTime, end: EventTime?) -> Int? {
        switch (start, end) {
        case (.instant(let s, _), .instant(let e, _)?): return Int(e.timeIntervalSince(s).rounded())
        case (.allDay(let s), .allDay(let e)?): return e.daysSince1970 - s.daysSince1970
        default: return nil
        }
    }
}

extension EventTime {
    /// The zone an instant was expressed in; nil for a date or an instant without one.
    var zoneName: String? {
        if case .instant(_, let z) = self { return z }
        return nil
    }
}
