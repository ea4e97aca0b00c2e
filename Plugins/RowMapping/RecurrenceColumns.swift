import AlmanacCore
import Foundation

/// The recurrence columns of a source row (README "Recurring appointments"), for every source
/// connector: `series_id` and `original_start` say which occurrence of which series a row is
/// (`Event.recurrence`, `recurrence = "instances"`); `rrule`, `rdate` and `exdate` make the row a
/// recurring series of its own (`Event.series`, `recurrence = "series"`).
///
/// `RowMapper` reads them as custom fields and lifts them out of `Event.custom` here, so they are
/// compared as the `recurrence` field and never travel as custom fields.
public enum RecurrenceColumns {
    public static let seriesID = "series_id"
    public static let originalStart = "original_start"
    public static let rrule = "rrule"
    public static let rdate = "rdate"
    public static let exdate = "exdate"
    public static let names: Set<String> = [seriesID, originalStart, rrule, rdate, exdate]

    /// Moves the recurrence columns of `event.custom` (names compared in lower case) into
    /// `event.recurrence` and `event.series`. Returns the column and the reason when a value
    /// cannot be read (an `original_start` that is no time, an RRULE or date list RFC 5545 does
    /// not allow), leaving `event` as it was.
    public static func lift(_ event: inout Event, zone: ZoneResolver) -> (column: String, reason: String)? {
        var found: [String: String] = [:]
        var keys: [String] = []
        for (k, v) in event.custom {
            let name = k.lowercased()
            guard names.contains(name) else { continue }
            keys.append(k)
            let value = v.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { found[name] = value }
        }
        guard !keys.isEmpty else { return nil }
        var lifted = event
        for k in keys { lifted.custom.removeValue(forKey: k) }
        if let series = found[seriesID] {
            guard let text = found[originalStart] else {
                return (originalStart, "a row with series_id needs the occurrence's original_start")
            }
            guard let parsed = TemporalText(text)?.parsed else {
                return (originalStart, "\"\(text)\" is not a date or a date and time")
            }
            let id = zone.timeZone.identifier
            let start = EventRules.time(
                parsed, allDay: event.start.isAllDay, zone: zone, zoneID: id, offsetZoneID: nil)
            lifted.recurrence = RecurrenceInstance(seriesKey: series, originalStart: start)
        }
        do {
            lifted.series = try EventSeries.parse(
                rrule: found[rrule], rdate: found[rdate], exdate: found[exdate], zone: zone.timeZone,
                allDay: event.start.isAllDay)
        } catch let e as RecurrenceError {
            let column = e.part == "RDATE" ? rdate : e.part == "EXDATE" ? exdate : rrule
            return (column, e.description)
        } catch {
            return (rrule, "\(error)")
        }
        if lifted.series == nil, found[exdate] != nil {
            return (exdate, "an exdate needs the row's rrule (or rdate)")
        }
        event = lifted
        return nil
    }

    /// The value of recurrence column `name` (lower case) for `event`, or nil when it has none:
    /// `original_start` through `time`, date lists in `zone` (`EventSeries.text`); a series'
    /// exceptions are written as its flattened EXDATEs and RDATEs.
    public static func value(_ name: String, of event: Event, zone: TimeZone, time: (EventTime) -> String)
        -> String?
    {
        switch name {
        case seriesID: return event.recurrence?.seriesKey
        case originalStart: return event.recurrence.map { time($0.originalStart) }
        case rrule: return event.series.map(\.ruleText)
        case rdate:
            guard let s = event.series?.flattened, !s.rdates.isEmpty else { return nil }
            return EventSeries.text(s.rdates, zone: zone)
        case exdate:
            guard let s = event.series?.flattened, !s.exdates.isEmpty else { return nil }
            return EventSeries.text(s.exdates, zone: zone)
        default: return nil
        }
    }
}
