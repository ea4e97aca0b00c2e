import AlmanacCore
import Foundation

/// Turns one source row — values by `StandardField` — into an `Event`, the same way for CSV and
/// XML (and the same way a SQL row maps, ARCHITECTURE.md §3):
/// - empty values are absent; `external_id` and `start_time` are required;
/// - date/times use the field's `TimeFormat` (ISO 8601 by default); naive ones are read in the
///   profile's zone (`ZoneResolver`);
/// - a date-only `start_time`, or `all_day` true, makes an all-day event; its end is exclusive
///   (iCalendar), an end on the start date or missing means one day;
/// - `participant_N_…` fields build participant N (gaps are closed up, order kept);
/// - every other field goes to `Event.custom`.
///
/// A row that cannot be mapped is an `ItemProblem` naming the row's `locator` (file and line).
public final class RowMapper {
    public enum Outcome {
        case item(key: String, event: Event)
        case problem(ItemProblem)
        /// With a window: the row certainly starts outside it (see `startsOutside`), not mapped.
        case outside
    }

    public let zone: ZoneResolver
    public let formats: [StandardField: TimeFormat]
    private let startFormat: TimeFormat, endFormat: TimeFormat, createdFormat: TimeFormat, updatedFormat: TimeFormat
    private let zoneID: String

    public init(timeZone: TimeZone, formats: [StandardField: TimeFormat] = [:]) {
        self.zone = ZoneResolver(timeZone)
        self.formats = formats
        startFormat = formats[.startTime] ?? .iso8601
        endFormat = formats[.endTime] ?? .iso8601
        createdFormat = formats[.created] ?? .iso8601
        updatedFormat = formats[.updated] ?? .iso8601
        zoneID = timeZone.identifier
    }

    /// Parses a `formats` table (standard temporal field → format). Returns the formats and the
    /// messages for keys or patterns that are not valid, each naming the key.
    public static func formats(from table: ConfigTable?) -> ([StandardField: TimeFormat], [String]) {
        var out: [StandardField: TimeFormat] = [:]
        var errors: [String] = []
        for key in table?.keys ?? [] {
            let field = StandardField(name: key)
            guard field.isTemporal else {
                errors.append("\(key): only start_time, end_time, created and updated take a format")
                continue
            }
            guard let spec = table?.string(key) else { errors.append("\(key): expected a string"); continue }
            do { out[field] = try TimeFormat(spec) } catch { errors.append("\(key): \(error.message)") }
        }
        return (out, errors)
    }

    /// `locator` (\"export.csv line 17\") is evaluated only for a problem. With `window`, a row
    /// that certainly starts outside it comes back `.outside` before anything else is looked at
    /// (as `startsOutside` judges it; its start is parsed once for both).
    public func map(
        fields: [StandardField], values: [String?], window: TimeWindow? = nil, locator: @autoclosure () -> String
    ) -> Outcome {
        map(fields, StringRow(values: values), window: window, locator: locator)
    }

    /// The same for a row of bytes: only the values that become text of the event are made
    /// `String`s.
    public func map(row: ByteRow, window: TimeWindow? = nil, locator: @autoclosure () -> String) -> Outcome {
        map(row.fields, row, window: window, locator: locator)
    }

    private func map<Row: RowSource>(
        _ fields: [StandardField], _ values: Row, window: TimeWindow?, locator: () -> String
    ) -> Outcome {
        let count = min(fields.count, values.count)
        // Where the key and the values read as dates, flags or statuses are (the last one of a
        // field wins), and which participants there are — no string made yet.
        var keyAt = -1, startAt = -1, endAt = -1, allDayAt = -1, statusAt = -1, createdAt = -1, updatedAt = -1
        var participantMask: UInt64 = 0
        for i in 0..<count where values.present(i) {
            switch fields[i] {
            case .externalID: keyAt = i
            case .startTime: startAt = i
            case .endTime: endAt = i
            case .allDay: allDayAt = i
            case .status: statusAt = i
            case .created: createdAt = i
            case .updated: updatedAt = i
            case .participant(let n, _): participantMask |= 1 << UInt64(n)
            default: continue
            }
        }
        var early: ParsedTime?
        var earlyInstant: Date?
        if let window, startAt >= 0, let parsed = values.time(startAt, startFormat) {
            let at = instant(parsed)
            if outside(window, at) { return .outside }
            early = parsed
            earlyInstant = at
        }
        let key = keyAt >= 0 ? values.trimmedString(keyAt) : ""
        func problem(_ field: StandardField?, _ reason: String) -> Outcome {
            if !key.isEmpty {
                return .problem(ItemProblem(key: key, field: field?.name, reason: "\(locator()): \(reason)"))
            }
            return .problem(ItemProblem(key: locator(), field: field?.name, reason: reason))
        }
        guard !key.isEmpty else { return problem(.externalID, "missing (every row needs an external_id)") }
        guard startAt >= 0 else { return problem(.startTime, "missing (every row needs a start_time)") }

        var isAllDay = false
        if allDayAt >= 0 {
            guard let flag = values.flag(allDayAt) else {
                return problem(.allDay, "\"\(values.string(allDayAt))\" is not a boolean (\(FieldText.flagSpellings))")
            }
            isAllDay = flag
        }
        guard let parsedStart = early ?? values.time(startAt, startFormat) else {
            return problem(.startTime, unreadable(values.string(startAt), .startTime))
        }
        if case .date = parsedStart { isAllDay = true }
        var parsedEnd: ParsedTime?
        if endAt >= 0 {
            guard let p = values.time(endAt, endFormat) else {
                return problem(.endTime, unreadable(values.string(endAt), .endTime))
            }
            parsedEnd = p
        }
        // The event's parts in locals, made into an `Event` once at the end (not copied).
        let start: EventTime
        var end: EventTime?
        var status = EventStatus.confirmed
        var created: Date?, updated: Date?
        if !isAllDay, let earlyInstant {
            start = .instant(earlyInstant, timeZone: zoneID)  // put in the zone for the window already
        } else {
            start = time(parsedStart, allDay: isAllDay)
        }
        if let parsedEnd {
            end = time(parsedEnd, allDay: isAllDay)
        } else if case .allDay(let day) = start {
            end = .allDay(day)  // a file's all-day row without an end: its day (`EventRules.end`)
        }
        if let e = end {
            guard let e = EventRules.end(e, start: start, zone: zone) else {
                return problem(
                    .endTime, "\"\(values.string(endAt))\" is before start_time \"\(values.string(startAt))\"")
            }
            end = e
        }
        if statusAt >= 0 {
            guard let s = values.status(statusAt) else {
                return problem(
                    .status, "\"\(values.string(statusAt))\" is not a status (confirmed, tentative, cancelled)")
            }
            status = s
        }
        if createdAt >= 0 {
            guard let p = values.time(createdAt, createdFormat) else {
                return problem(.created, unreadable(values.string(createdAt), .created))
            }
            created = instant(p)
        }
        if updatedAt >= 0 {
            guard let p = values.time(updatedAt, updatedFormat) else {
                return problem(.updated, unreadable(values.string(updatedAt), .updated))
            }
            updated = instant(p)
        }
        // Participant N is at the number of participants below N (gaps closed up, order kept).
        var participants: [Participant] = []
        if participantMask != 0 {
            participants.reserveCapacity(participantMask.nonzeroBitCount)
            for _ in 0..<participantMask.nonzeroBitCount { participants.append(Participant()) }
        }
        var title: String?, description: String?, location: String?
        var custom: [String: String] = [:]
        for i in 0..<count where values.present(i) {
            switch fields[i] {
            case .title: title = values.string(i)
            case .content: description = values.string(i)
            case .location: location = values.string(i)
            case .participant(let n, let attribute):
                let p = (participantMask & ((1 << UInt64(n)) - 1)).nonzeroBitCount
                // In place: no copy of the participant per attribute.
                guard attribute.set(values.string(i), on: &participants[p]) else {
                    return problem(fields[i], "\"\(values.string(i))\" is not one of \(FieldText.responseSpellings)")
                }
            case .custom(let name): custom.set(values.string(i), for: name)
            default: continue
            }
        }
        return .item(
            key: key,
            event: Event(
                title: title, description: description, location: location, start: start, end: end, status: status,
                participants: participants, custom: custom, created: created, updated: updated))
    }

    /// Whether the row certainly starts outside `window` — judged from `start_time` alone, with a
    /// day of margin on each side (all-day rows start at midnight). Such rows need not be mapped:
    /// a listing of `window` would drop them. Rows whose start cannot be read are never outside
    /// (mapping them reports the problem).
    public func startsOutside(_ window: TimeWindow, fields: [StandardField], values: [String?]) -> Bool {
        guard let i = fields.firstIndex(of: .startTime), i < values.count, let text = values[i], !text.isEmpty,
            let parsed = startFormat.parse(text)
        else { return false }
        return outside(window, instant(parsed))
    }

    private func outside(_ window: TimeWindow, _ start: Date) -> Bool {
        start < window.start.addingTimeInterval(-86_400) || start >= window.end.addingTimeInterval(86_400)
    }

    private func unreadable(_ text: String, _ field: StandardField) -> String {
        let format = formats[field] ?? .iso8601
        let expected = format == .iso8601 ? "ISO 8601 like 2026-03-02T09:30 or 2026-03-02" : "the format \"\(format)\""
        return "\"\(text)\" does not match \(expected) (set formats.\(field.name) to the file's format)"
    }

    private func instant(_ t: ParsedTime) -> Date { EventRules.instant(t, zone: zone) }

    /// Files: a time with an offset keeps the profile's zone.
    private func time(_ t: ParsedTime, allDay: Bool) -> EventTime {
        EventRules.time(t, allDay: allDay, zone: zone, zoneID: zoneID, offsetZoneID: zoneID)
    }
}
