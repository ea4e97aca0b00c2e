import AlmanacCore
import Foundation

/// Turns typed rows (odbc result rows: text, TIMESTAMP, DATE cells) into `SourceItem`s, or into
/// `RowError`s naming the column (the connector makes them `ItemProblem`s naming the row).
///
/// Time rules: TIMESTAMP values and naive timestamp text are wall-clock times in the profile's
/// zone (`ZoneResolver` settles DST gaps and overlaps); text with `Z` or an offset is an
/// instant; a DATE start (or any start when `all_day` is true) makes an all-day event whose end
/// is exclusive — an all-day end equal to its start is read as a one-day event.
///
/// Which column feeds which field is decided once, from the column names (`StandardField`,
/// case-insensitive), when the mapper is made; a row is then read cell by cell once, and each
/// field takes its cell by index. Flags, statuses and responses read as `FieldText` says, as
/// they do in the csv and xml connectors.
public final class CellRowMapper {
    public struct RowError: Error {
        public var column: String
        public var reason: String
    }

    let roles: [StandardField]
    let names: [String]
    let resolver: ZoneResolver
    let zoneID: String
    let hasUpdated: Bool
    private let externalIDColumn: Int?
    private let startColumn: Int?
    private let titleColumn: Int?
    private let contentColumn: Int?
    private let locationColumn: Int?
    private let endColumn: Int?
    private let allDayColumn: Int?
    private let statusColumn: Int?
    private let createdColumn: Int?
    private let updatedColumn: Int?
    /// Per participant number, ascending: its columns in column order.
    private let participantColumns: [[(column: Int, field: StandardField.ParticipantAttribute)]]
    private let customColumns: [(column: Int, name: String)]
    /// A resolver per time column besides the start's: each keeps its own day cache, so a start on
    /// one day and an `updated` stamp on another do not evict each other's offset row after row.
    private let endResolver: ZoneResolver
    private let createdResolver: ZoneResolver
    private let updatedResolver: ZoneResolver

    /// A mapper for rows whose columns are named `names`, in that order.
    public init(names: [String], resolver: ZoneResolver) {
        self.names = names
        roles = names.map { StandardField(name: $0.lowercased()) }
        self.resolver = resolver
        zoneID = resolver.timeZone.identifier
        hasUpdated = roles.contains(.updated)
        externalIDColumn = roles.firstIndex(of: .externalID)
        // A field named twice takes the last such column, as assigning in column order would.
        startColumn = roles.lastIndex(of: .startTime)
        titleColumn = roles.lastIndex(of: .title)
        contentColumn = roles.lastIndex(of: .content)
        locationColumn = roles.lastIndex(of: .location)
        endColumn = roles.lastIndex(of: .endTime)
        allDayColumn = roles.lastIndex(of: .allDay)
        statusColumn = roles.lastIndex(of: .status)
        createdColumn = roles.lastIndex(of: .created)
        updatedColumn = roles.lastIndex(of: .updated)
        var participants: [Int: [(column: Int, field: StandardField.ParticipantAttribute)]] = [:]
        var custom: [(column: Int, name: String)] = []
        for (i, role) in roles.enumerated() {
            switch role {
            case .participant(let n, let field): participants[n, default: []].append((i, field))
            case .custom: custom.append((i, names[i]))  // under the column's own name, case kept
            default: break
            }
        }
        participantColumns = participants.keys.sorted().map { participants[$0]! }
        customColumns = custom
        endResolver = ZoneResolver(resolver.timeZone)
        createdResolver = ZoneResolver(resolver.timeZone)
        updatedResolver = ZoneResolver(resolver.timeZone)
    }

    /// The standard columns the query must return and does not.
    public var missingRequiredColumns: [String] {
        (externalIDColumn == nil ? ["external_id"] : []) + (startColumn == nil ? ["start_time"] : [])
    }

    /// The row's key, when its external_id cell is readable.
    public func key(_ cell: (Int) -> CellValue) -> String? {
        guard let c = externalIDColumn, case .text(let s) = cell(c), !s.isEmpty else { return nil }
        return s
    }

    /// Maps one row, reading each cell it uses once through `cell`. Throws `RowError` naming the
    /// column at fault: the external_id first, then the fields in the order of ARCHITECTURE.md §3.
    public func map(_ cell: (Int) -> CellValue) throws(RowError) -> SourceItem {
        guard let k = externalIDColumn else {
            throw RowError(column: "external_id", reason: "is missing (NULL or empty)")
        }
        let key: String
        switch cell(k) {
        case .text(let s) where !s.isEmpty: key = s
        case .invalidText: throw RowError(column: "external_id", reason: "is not valid UTF-8")
        case .tooLong(let limit):
            throw RowError(column: "external_id", reason: "is longer than max_value_bytes (\(limit) bytes)")
        default: throw RowError(column: "external_id", reason: "is missing (NULL or empty)")
        }
        /// The cell at `c`; an unreadable one fails the row.
        func read(_ c: Int) throws(RowError) -> CellValue {
            let v = cell(c)
            switch v {
            case .invalidText:
                throw RowError(column: names[c], reason: "is not valid UTF-8 (check the column's encoding)")
            case .truncated:
                throw RowError(column: names[c], reason: "was not read whole (the driver cut it)")
            case .tooLong(let limit):
                throw RowError(
                    column: names[c],
                    reason:
                        "is longer than max_value_bytes (\(limit) bytes): raise max_value_bytes or shorten it in read_query"
                )
            default: return v
            }
        }
        // Built in place inside the item: assembling an Event and then wrapping it copies it.
        var item = SourceItem(key: key, event: Event(start: .allDay(CivilDate(year: 1970, month: 1, day: 1))))
        if let c = titleColumn { item.event.title = text(try read(c)) }
        if let c = contentColumn { item.event.description = text(try read(c)) }
        if let c = locationColumn { item.event.location = text(try read(c)) }
        var allDay: Bool?
        if let c = allDayColumn {
            switch try read(c) {
            case .null: break
            case .text(let t): allDay = try flag(t, column: names[c])
            default: throw RowError(column: names[c], reason: "is not a boolean")
            }
        }
        if let c = statusColumn, let t = text(try read(c)) { item.event.status = try status(t, column: names[c]) }
        if !participantColumns.isEmpty {
            var list: [Participant] = []
            for columns in participantColumns {
                var p = Participant()
                var present = false
                for (c, field) in columns {
                    guard let t = text(try read(c)), !t.isEmpty else { continue }
                    present = true
                    guard field.set(t, on: &p) else {
                        throw RowError(
                            column: names[c], reason: "\"\(t)\" is not one of \(FieldText.responseSpellings)")
                    }
                }
                if present { list.append(p) }
            }
            item.event.participants = list
        }
        if !customColumns.isEmpty {
            // Up to two: the first made as a literal (`Dictionary.set`); more: made at their number.
            var custom: [String: String] =
                customColumns.count > 2 ? Dictionary(minimumCapacity: customColumns.count) : [:]
            for (c, name) in customColumns { if let t = customText(try read(c)) { custom.set(t, for: name) } }
            item.event.custom = custom
        }
        guard let s = startColumn, let start = try time(try read(s), allDay: allDay, column: "start_time", resolver)
        else {
            throw RowError(column: "start_time", reason: "is missing (NULL)")
        }
        item.event.start = start
        if let c = endColumn,
            let end = try time(try read(c), allDay: start.isAllDay ? true : allDay, column: "end_time", endResolver)
        {
            guard let end = EventRules.end(end, start: start, zone: resolver) else {
                throw RowError(column: "end_time", reason: "is before start_time")
            }
            item.event.end = end
        }
        if let c = createdColumn { item.event.created = try instant(try read(c), column: "created", createdResolver) }
        if let c = updatedColumn { item.event.updated = try instant(try read(c), column: "updated", updatedResolver) }
        let version: String
        if hasUpdated, let u = item.event.updated {
            version = Self.updatedVersion(Int(u.timeIntervalSince1970.rounded(.down)))
        } else {
            version = ContentVersion.of(item.event)
        }
        item.version = version
        return item
    }

    /// `u:` and the decimal seconds of an `updated` stamp, written without the general integer
    /// formatting and concatenation (a string this short is stored inline, unallocated).
    public static func updatedVersion(_ seconds: Int) -> String {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: "u:", a sign, 19 digits
        return withUnsafeMutableBytes(of: &digits) { buffer in
            var v = seconds.magnitude
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            if seconds < 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "-")
            }
            buffer[i - 1] = UInt8(ascii: ":")
            buffer[i - 2] = UInt8(ascii: "u")
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[(i - 2)...]), as: UTF8.self)
        }
    }

    private func text(_ v: CellValue) -> String? {
        if case .text(let s) = v { return s }
        return nil
    }

    private func customText(_ v: CellValue) -> String? {
        switch v {
        case .text(let s): return s
        case .timestamp(let t): return t.description
        case .date(let d): return d.description
        case .time(let t): return String(format: "%02d:%02d:%02d", t.hour, t.minute, t.second)
        default: return nil
        }
    }

    private func flag(_ t: String, column: String) throws(RowError) -> Bool {
        guard let flag = FieldText.flag(t) else {
            throw RowError(column: column, reason: "\"\(t)\" is not a boolean (\(FieldText.flagSpellings))")
        }
        return flag
    }

    private func status(_ t: String, column: String) throws(RowError) -> EventStatus {
        guard let status = FieldText.status(t) else {
            throw RowError(
                column: column,
                reason: "\"\(t)\" is not confirmed, tentative or cancelled: map it with CASE in read_query")
        }
        return status
    }

    /// An event time from a cell; nil for NULL.
    private func time(_ v: CellValue, allDay: Bool?, column: String, _ resolver: ZoneResolver) throws(RowError)
        -> EventTime?
    {
        let temporal: ParsedTime
        switch v {
        case .null: return nil
        case .timestamp(let t): temporal = t.parsed
        case .date(let d): temporal = .date(d)
        case .text(let s):
            guard let t = TemporalText(s)?.parsed else {
                throw RowError(
                    column: column, reason: "\"\(s)\" is not a date or timestamp (YYYY-MM-DD[ HH:MM[:SS]][offset])")
            }
            temporal = t
        case .time:
            throw RowError(
                column: column, reason: "is a time of day without a date; combine it with the date column in read_query"
            )
        case .invalidText, .truncated, .tooLong: throw RowError(column: column, reason: "is unreadable")
        }
        // SQL: a timestamp with an offset is an instant of no zone.
        return EventRules.time(temporal, allDay: allDay, zone: resolver, zoneID: zoneID, offsetZoneID: nil)
    }

    private func instant(_ v: CellValue, column: String, _ resolver: ZoneResolver) throws(RowError) -> Date? {
        guard case .instant(let d, _)? = try time(v, allDay: false, column: column, resolver) else { return nil }
        return d
    }
}
