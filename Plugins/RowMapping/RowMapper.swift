import AlmanacCore
import Foundation

/// Turns one source row — cells by `StandardField` — into an `Event`, for every source connector
/// (odbc result rows, csv records, xml items; ARCHITECTURE.md §3), in one walk of the row:
/// - `external_id` and `start_time` are required;
/// - date/times are typed cells (odbc) or text (`TemporalText` in sql, the field's `TimeFormat`
///   in files, ISO 8601 by default); naive ones are read in the profile's zone (`ZoneResolver`);
/// - a date-only `start_time`, or `all_day` true, makes an all-day event; its end is exclusive
///   (iCalendar), an end on the start date means one day;
/// - `participant_N_…` fields build participant N (gaps are closed up, order kept);
/// - every other field goes to `Event.custom`.
///
/// Where the sources differ, by what they are, `Dialect` says (sql or files). A row that cannot
/// be mapped is an `ItemProblem` naming the row's `locator` (sql: "row 17"; files: "export.csv
/// line 17") where its key is unknown.
public final class RowMapper {
    public enum Outcome {
        case item(key: String, event: Event)
        case problem(ItemProblem)
        /// With a window: the row certainly starts outside it (a day of margin each side), not mapped.
        case outside
    }

    public let zone: ZoneResolver
    public let formats: [StandardField: TimeFormat]
    let dialect: Dialect
    /// sql: the columns' names as the query gives them, and their fields (lower-cased first;
    /// a custom field keeps the column's name), fixed when the mapper is made.
    public let names: [String]
    public let fields: [StandardField]
    private let startFormat: TimeFormat, endFormat: TimeFormat, createdFormat: TimeFormat
    let updatedFormat: TimeFormat
    private let zoneID: String
    private let offsetZoneID: String?
    /// A resolver for `created` and for `updated` besides the start's and end's (`zone`, the end
    /// is most often on the start's day): each keeps its own day cache, so a start on one day and
    /// an `updated` stamp on another do not evict each other's offset row after row.
    private let createdZone: ZoneResolver
    let updatedZone: ZoneResolver
    /// The custom fields of the last shapes of row seen, the latest first (sql: the columns';
    /// files: a few, as the optional children of xml items come and go).
    /// Read on every row (by one reader at a time): no dynamic exclusivity check.
    @exclusivity(unchecked) private var customTemplates: [CustomTemplate] = []
    /// Set for a job of `kind = "contacts"`: rows are contacts (`ContactColumn`, `mapContact`),
    /// handed over as their envelope (`Contact.envelope`); nil maps events. Set before the first
    /// row and read on every row: no dynamic exclusivity check.
    @exclusivity(unchecked) public var contacts: ContactRules?

    private init(dialect: Dialect, zone: ZoneResolver, formats: [StandardField: TimeFormat], names: [String]) {
        self.dialect = dialect
        self.zone = zone
        self.formats = formats
        self.names = names
        fields = names.map { name in
            let field = StandardField(name: name.lowercased())
            return field.isCustom ? .custom(name) : field  // under the column's own name, case kept
        }
        startFormat = formats[.startTime] ?? .iso8601
        endFormat = formats[.endTime] ?? .iso8601
        createdFormat = formats[.created] ?? .iso8601
        updatedFormat = formats[.updated] ?? .iso8601
        zoneID = zone.timeZone.identifier
        offsetZoneID = dialect.offsetKeepsZone ? zoneID : nil
        createdZone = ZoneResolver(zone.timeZone)
        updatedZone = ZoneResolver(zone.timeZone)
    }

    /// A mapper for csv and xml rows, read in `timeZone` with `formats`.
    public convenience init(timeZone: TimeZone, formats: [StandardField: TimeFormat] = [:]) {
        self.init(dialect: .file, zone: ZoneResolver(timeZone), formats: formats, names: [])
    }

    /// A mapper for sql result rows whose columns are named `names`, in that order (matched
    /// case-insensitively).
    public convenience init(columns names: [String], resolver: ZoneResolver) {
        self.init(dialect: .sql, zone: resolver, formats: [:], names: names)
    }

    /// sql: the standard columns the query must return and does not.
    public var missingRequiredColumns: [String] {
        if contacts != nil { return fields.contains(.externalID) ? [] : ["external_id"] }
        return (fields.contains(.externalID) ? [] : ["external_id"])
            + (fields.contains(.startTime) ? [] : ["start_time"])
    }

    /// sql: whether an `updated` column gives the version (`ContentVersion.of(_:updatedColumn:)`).
    public var hasUpdated: Bool { fields.contains(.updated) }

    /// sql: the row's key, when its external_id cell is readable.
    public func key(_ row: CellRow) -> String? {
        guard let i = fields.firstIndex(of: .externalID), i < row.count, let s = row.cell(i).string, !s.isEmpty
        else { return nil }
        return s
    }

    /// sql: maps a result row of the columns the mapper was made for. `locator` ("row 17") is
    /// evaluated only for a problem whose key is unknown.
    public func map(cells row: CellRow, locator: @autoclosure () -> String) -> Outcome {
        walk(fields, row, window: nil, locator: locator)
    }

    /// Files: maps a row of strings. `locator` ("export.csv line 17") is evaluated only for a
    /// problem. With `window`, a row that certainly starts outside it comes back `.outside`
    /// before anything else is looked at (its start is parsed once for both).
    public func map(
        fields: [StandardField], values: [String?], window: TimeWindow? = nil, locator: @autoclosure () -> String
    ) -> Outcome {
        walk(fields, StringRow(values: values), window: window, locator: locator)
    }

    /// The same for a row of bytes (csv records, xml items): only the values that become text of
    /// the event are made `String`s.
    public func map(row: ByteRow, window: TimeWindow? = nil, locator: @autoclosure () -> String) -> Outcome {
        walk(row.fields, row, window: window, locator: locator)
    }

    /// The one walk of a row, for every source.
    private func walk<Row: RowCells>(
        _ fields: [StandardField], _ row: Row, window: TimeWindow?, locator: () -> String
    ) -> Outcome {
        if let contacts { return mapContact(fields, row, rules: contacts, locator: locator) }
        let d = dialect
        let count = min(fields.count, row.count)
        // Where each field's cell is (`Dialect.lastPresentWins`), which participants there are,
        // and whether there are participants or custom fields — no string made yet.
        var keyAt = -1, titleAt = -1, contentAt = -1, locationAt = -1, startAt = -1, endAt = -1
        var allDayAt = -1, statusAt = -1, createdAt = -1, updatedAt = -1
        var participantMask: UInt64 = 0, customMask: UInt64 = 0
        var others = false
        /// Whether cell `i` is where its field is read from.
        @inline(__always) func take(_ i: Int) -> Bool { !d.lastPresentWins || row.hasText(i) }
        for i in 0..<count {
            switch fields[i] {
            case .participant(let n, _):
                if row.hasText(i) { participantMask |= 1 << UInt64(n) }
                others = true
            case .custom:
                others = true
                customMask |= CustomTemplate.columnMask(i)
            case .externalID: if take(i) && (keyAt < 0 || d.lastPresentWins) { keyAt = i }
            case .title: if take(i) { titleAt = i }
            case .content: if take(i) { contentAt = i }
            case .location: if take(i) { locationAt = i }
            case .startTime: if take(i) { startAt = i }
            case .endTime: if take(i) { endAt = i }
            case .allDay: if take(i) { allDayAt = i }
            case .status: if take(i) { statusAt = i }
            case .created: if take(i) { createdAt = i }
            case .updated: if take(i) { updatedAt = i }
            }
        }
        var early: ParsedTime?
        var earlyInstant: Date?
        if let window, startAt >= 0, let parsed = try? time(row.cell(startAt), startFormat) {
            let at = EventRules.instant(parsed, zone: zone)
            if at < window.start.addingTimeInterval(-86_400) || at >= window.end.addingTimeInterval(86_400) {
                return .outside
            }
            early = parsed
            earlyInstant = at
        }
        var failed = FirstFailure(ranks: d.ranks)

        var key: String?
        if keyAt >= 0 {
            let c = row.cell(keyAt)
            switch c {
            case .invalidText, .tooLong: failed.note(.key, .externalID, column: keyAt, c.unreadable!)
            default:
                if let k = d.trimsKey ? c.trimmedString : c.string, !k.isEmpty { key = k }
            }
        }
        if key == nil { failed.note(.key, .externalID, column: keyAt, .missing) }

        let title = text(row, titleAt, .title, 0, &failed)
        let description = text(row, contentAt, .content, 1, &failed)
        let location = text(row, locationAt, .location, 2, &failed)

        var allDay = d.allDayWithoutFlag
        if allDayAt >= 0 {
            let c = row.cell(allDayAt)
            switch c {
            case .absent: break
            case .text, .string:
                if let flag = c.flag {
                    allDay = flag
                } else {
                    failed.note(.allDay, .allDay, column: allDayAt, .notBoolean(c.string))
                }
            case .invalidText, .truncated, .tooLong: failed.note(.allDay, .allDay, column: allDayAt, c.unreadable!)
            default: failed.note(.allDay, .allDay, column: allDayAt, .notBoolean(nil))
            }
        }
        var status = EventStatus.confirmed
        if statusAt >= 0 {
            let c = row.cell(statusAt)
            switch c {
            case .text, .string:
                if let s = c.status {
                    status = s
                } else {
                    failed.note(.status, .status, column: statusAt, .notStatus(c.string!))
                }
            case .invalidText, .truncated, .tooLong: failed.note(.status, .status, column: statusAt, c.unreadable!)
            default: break
            }
        }

        // Participant N is at the number of participants below N (gaps closed up, order kept).
        var participants: [Participant] = []
        var custom: [String: String] = [:]
        if others {
            if participantMask != 0 {
                participants.reserveCapacity(participantMask.nonzeroBitCount)
                for _ in 0..<participantMask.nonzeroBitCount { participants.append(Participant()) }
            }
            // Custom fields from the template of this shape of row (`CustomTemplate`): number `k`
            // among the row's custom columns, `absent` those without a value.
            let template: CustomTemplate
            if !customTemplates.isEmpty && customTemplates[0].mask == customMask {
                template = customTemplates[0]
            } else {
                template = customTemplates.first { $0.mask == customMask } ?? CustomTemplate.none
            }
            if !template.columns.isEmpty { custom = template.dictionary }  // copied on the first value
            var k = 0
            var absent: UInt64 = 0
            var fits = true
            for i in 0..<count {
                switch fields[i] {
                case .participant(let n, let attribute):
                    let c = row.cell(i)
                    if let reason = c.unreadable {
                        failed.note(.participants, fields[i], column: i, reason, sub: d.participantOrder(n, i))
                        continue
                    }
                    guard c.hasText, participantMask & (1 << UInt64(n)) != 0 else { continue }
                    let p = (participantMask & ((1 << UInt64(n)) - 1)).nonzeroBitCount
                    // In place: no copy of the participant per attribute.
                    if attribute == .response {
                        guard let r = c.response else {
                            failed.note(
                                .participants, fields[i], column: i, .notResponse(c.string!),
                                sub: d.participantOrder(n, i))
                            continue
                        }
                        participants[p].response = r
                    } else {
                        _ = attribute.set(c.string!, on: &participants[p])
                    }
                case .custom(let name):
                    let c = row.cell(i)
                    if let reason = c.unreadable {
                        failed.note(.custom, fields[i], column: i, reason, sub: i)
                        absent |= 1 << UInt64(k)
                    } else if !template.fits(k, column: i, name: name) {
                        fits = false
                    } else if let t = c.customText {
                        custom.values[template.slots[k]] = t
                    } else {
                        absent |= 1 << UInt64(k)
                    }
                    k += 1
                default: continue
                }
            }
            if !fits || k != template.columns.count || k > 64 {
                // Another shape of row (or more custom columns than a mask holds): by name.
                custom = [:]
                for i in 0..<count {
                    guard case .custom(let name) = fields[i], let t = row.cell(i).customText else { continue }
                    custom.setCustom(t, for: name)
                }
                if k <= 64 {
                    customTemplates.removeAll { $0.mask == customMask }
                    customTemplates.insert(CustomTemplate(fields, count: count), at: 0)
                    if customTemplates.count > 4 { customTemplates.removeLast() }
                }
            } else if absent != 0 {
                template.removing(absent, from: &custom)
            }
        }

        var start: EventTime?
        if startAt < 0 {
            failed.note(.startMissing, .startTime, column: -1, .missing)
        } else {
            do {
                var parsed = early
                if parsed == nil { parsed = try time(row.cell(startAt), startFormat) }
                if let p = parsed {
                    var allDayStart = allDay
                    if d.dateStartIsAllDay, case .date = p { allDayStart = true }
                    if allDayStart == false, let earlyInstant {
                        start = .instant(earlyInstant, timeZone: zoneID)  // put in the zone for the window already
                    } else {
                        start = EventRules.time(
                            p, allDay: allDayStart, zone: zone, zoneID: zoneID, offsetZoneID: offsetZoneID)
                    }
                } else {
                    failed.note(.startMissing, .startTime, column: -1, .missing)
                }
            } catch {
                failed.note(.start, .startTime, column: startAt, error)
            }
        }
        var end: EventTime?
        if endAt >= 0 {
            do {
                if let p = try time(row.cell(endAt), endFormat), let start {
                    end = EventRules.time(
                        p, allDay: start.isAllDay ? true : allDay, zone: zone, zoneID: zoneID,
                        offsetZoneID: offsetZoneID)
                }
            } catch {
                failed.note(.end, .endTime, column: endAt, error)
            }
        }
        if end == nil, d.allDayWithoutEndIsOneDay, case .allDay(let day)? = start {
            end = .allDay(day)  // its day (`EventRules.end`)
        }
        if let e = end, let start {
            end = EventRules.end(e, start: start, zone: zone)
            if end == nil {
                let reason = RowFailure.Reason.beforeStart(
                    end: endAt >= 0 ? row.cell(endAt).string ?? "" : "", start: row.cell(startAt).string ?? "")
                failed.note(.endOrder, .endTime, column: endAt, reason)
            }
        }
        let created = instant(row, createdAt, createdFormat, .created, createdZone, &failed)
        let updated = instant(row, updatedAt, updatedFormat, .updated, updatedZone, &failed)

        if let failure = failed.failure { return .problem(problem(failure, key: key, locator: locator)) }
        guard let key, let start else { preconditionFailure("a row without a key or a start has failed") }
        var event = Event(
            title: title, description: description, location: location, start: start, end: end, status: status,
            participants: participants, custom: custom, created: created, updated: updated)
        if !custom.isEmpty, let bad = RecurrenceColumns.lift(&event, zone: zone) {
            return .problem(ItemProblem(key: key, field: bad.column, reason: bad.reason))
        }
        return .item(key: key, event: event)
    }

    /// The text of a text field's cell; typed cells have none.
    @inline(__always)
    private func text<Row: RowCells>(
        _ row: Row, _ at: Int, _ field: StandardField, _ sub: Int, _ failed: inout FirstFailure
    ) -> String? {
        guard at >= 0 else { return nil }
        let c = row.cell(at)
        if let reason = c.unreadable { failed.note(.text, field, column: at, reason, sub: sub) }
        return c.string
    }

    /// A created or updated stamp as an instant.
    @inline(__always)
    private func instant<Row: RowCells>(
        _ row: Row, _ at: Int, _ format: TimeFormat, _ stage: RowFailure.Stage, _ resolver: ZoneResolver,
        _ failed: inout FirstFailure
    ) -> Date? {
        guard at >= 0 else { return nil }
        do {
            guard let p = try time(row.cell(at), format) else { return nil }
            return EventRules.instant(p, zone: resolver)
        } catch {
            failed.note(stage, stage == .created ? .created : .updated, column: at, error)
            return nil
        }
    }

    /// A time cell as read; nil when absent. Throws why it cannot be read.
    @inline(__always)
    func time(_ cell: Cell, _ format: TimeFormat) throws(RowFailure.Reason) -> ParsedTime? {
        switch cell {
        case .absent: return nil
        case .timestamp(let t): return t.parsed
        case .date(let d): return .date(d)
        case .time: throw .timeOfDay
        case .text(let b):
            let parsed = dialect.temporalText ? TemporalText(bytes: b)?.parsed : format.parse(bytes: b)
            guard let parsed else { throw .notTime(String(decoding: b, as: UTF8.self)) }
            return parsed
        case .string(let s):
            let parsed = dialect.temporalText ? TemporalText(s)?.parsed : format.parse(s)
            guard let parsed else { throw .notTime(s) }
            return parsed
        case .invalidText, .truncated, .tooLong: throw cell.unreadable!
        }
    }

    /// The failure as its source words it.
    func problem(_ f: RowFailure, key: String?, locator: () -> String) -> ItemProblem {
        if !dialect.locatorInReason {
            let (column, reason) = f.sqlMessage(names: names)
            return ItemProblem(key: key ?? locator(), field: column, reason: reason)
        }
        let reason = f.fileMessage(formats: formats)
        if let key { return ItemProblem(key: key, field: f.field.name, reason: "\(locator()): \(reason)") }
        return ItemProblem(key: locator(), field: f.field.name, reason: reason)
    }
}
