import AlmanacCore
import Foundation

/// What a result column means, decided once per query from its name (case-insensitive for the
/// standard fields of DESIGN §3; any other column is a custom field under its own name).
enum ColumnRole: Hashable {
    enum ParticipantField: Hashable {
        case name, email, response
        case phone(PhoneKind)
    }

    case externalID, title, content, location, start, end, allDay, status, created, updated
    case participant(Int, ParticipantField)
    /// Not a standard field: a custom field under the column's own name.
    case custom

    init(columnName: String) {
        let n = columnName.lowercased()
        switch n {
        case "external_id": self = .externalID
        case "title": self = .title
        case "content": self = .content
        case "location": self = .location
        case "start_time": self = .start
        case "end_time": self = .end
        case "all_day": self = .allDay
        case "status": self = .status
        case "created": self = .created
        case "updated": self = .updated
        default:
            if let p = Self.participant(n) {
                self = p
            } else {
                self = .custom
            }
        }
    }

    /// `participant_N_name|email|response|phone|phone_mobile|phone_home|phone_work`, N = 0…9.
    private static func participant(_ n: String) -> ColumnRole? {
        guard n.hasPrefix("participant_"), n.count > 14 else { return nil }
        let rest = n.dropFirst(12)
        guard let digit = rest.first?.wholeNumberValue, rest.dropFirst().first == "_" else { return nil }
        let field: ParticipantField
        switch rest.dropFirst(2) {
        case "name": field = .name
        case "email": field = .email
        case "response": field = .response
        case "phone": field = .phone(.other)
        case "phone_mobile": field = .phone(.mobile)
        case "phone_home": field = .phone(.home)
        case "phone_work": field = .phone(.work)
        default: return nil
        }
        return .participant(digit, field)
    }
}

/// Turns result rows into `SourceItem`s, or into `ItemProblem`s naming the row and column.
///
/// Time rules: TIMESTAMP values and naive timestamp text are wall-clock times in the profile's
/// zone (`ZoneResolver` settles DST gaps and overlaps); text with `Z` or an offset is an
/// instant; a DATE start (or any start when `all_day` is true) makes an all-day event whose end
/// is exclusive — an all-day end equal to its start is read as a one-day event.
final class ODBCRowMapper {
    struct RowError: Error {
        var column: String
        var reason: String
    }

    let roles: [ColumnRole]
    let names: [String]
    let resolver: ZoneResolver
    let zoneID: String
    let hasUpdated: Bool
    private let externalIDColumn: Int?
    private let startColumn: Int?

    init(columns: [ODBCColumnDescription], resolver: ZoneResolver) {
        names = columns.map(\.name)
        roles = names.map(ColumnRole.init(columnName:))
        self.resolver = resolver
        zoneID = resolver.timeZone.identifier
        hasUpdated = roles.contains(.updated)
        externalIDColumn = roles.firstIndex(of: .externalID)
        startColumn = roles.firstIndex(of: .start)
    }

    /// The standard columns the query must return and does not.
    var missingRequiredColumns: [String] {
        (externalIDColumn == nil ? ["external_id"] : []) + (startColumn == nil ? ["start_time"] : [])
    }

    /// The row's key, when its external_id cell is readable.
    func key(_ cell: (Int) -> CellValue) -> String? {
        guard let c = externalIDColumn, case .text(let s) = cell(c), !s.isEmpty else { return nil }
        return s
    }

    /// Maps one row. Throws `RowError` for the first column at fault.
    func map(_ cell: (Int) -> CellValue) throws(RowError) -> SourceItem {
        guard let key = key(cell) else {
            if let c = externalIDColumn, case .invalidText = cell(c) {
                throw RowError(column: "external_id", reason: "is not valid UTF-8")
            }
            throw RowError(column: "external_id", reason: "is missing (NULL or empty)")
        }
        var allDay: Bool?
        var startCell = CellValue.null
        var endCell = CellValue.null
        var createdCell = CellValue.null
        var updatedCell = CellValue.null
        var event = Event(start: .allDay(CivilDate(year: 1970, month: 1, day: 1)))
        var participants: [Participant?] = []
        for (i, role) in roles.enumerated() {
            let v = cell(i)
            switch v {
            case .invalidText:
                throw RowError(column: names[i], reason: "is not valid UTF-8 (check the column's encoding)")
            case .truncated:
                throw RowError(
                    column: names[i],
                    reason: "is longer than the driver declared; CAST it to a longer type in read_query")
            default: break
            }
            switch role {
            case .externalID: break
            case .title: event.title = text(v)
            case .content: event.description = text(v)
            case .location: event.location = text(v)
            case .start: startCell = v
            case .end: endCell = v
            case .created: createdCell = v
            case .updated: updatedCell = v
            case .allDay:
                if let t = text(v) {
                    allDay = try flag(t, column: names[i])
                } else if case .null = v {
                } else {
                    throw RowError(column: names[i], reason: "is not a boolean")
                }
            case .status:
                if let t = text(v) { event.status = try status(t, column: names[i]) }
            case .participant(let n, let field):
                guard let t = text(v), !t.isEmpty else { continue }
                if participants.count <= n { participants += Array(repeating: nil, count: n + 1 - participants.count) }
                var p = participants[n] ?? Participant()
                switch field {
                case .name: p.name = t
                case .email: p.email = t
                case .phone(let kind): p.phones[kind] = t
                case .response:
                    guard let r = ResponseStatus(rawValue: t.lowercased()) else {
                        throw RowError(
                            column: names[i],
                            reason: "\"\(t)\" is not one of needs_action, accepted, declined, tentative")
                    }
                    p.response = r
                }
                participants[n] = p
            case .custom:
                if let t = customText(v) { event.custom[names[i]] = t }
            }
        }
        guard let start = try time(startCell, allDay: allDay, column: "start_time") else {
            throw RowError(column: "start_time", reason: "is missing (NULL)")
        }
        event.start = start
        if var end = try time(endCell, allDay: start.isAllDay ? true : allDay, column: "end_time") {
            if case .allDay(let s) = start, case .allDay(let e) = end, e == s { end = .allDay(s.adding(days: 1)) }
            if end.date(in: resolver.timeZone) < start.date(in: resolver.timeZone) {
                throw RowError(column: "end_time", reason: "is before start_time")
            }
            event.end = end
        }
        event.created = try instant(createdCell, column: "created")
        event.updated = try instant(updatedCell, column: "updated")
        event.participants = participants.compactMap { $0 }
        let version: String
        if hasUpdated, let u = event.updated {
            version = "u:" + String(Int64(u.timeIntervalSince1970.rounded(.down)))
        } else {
            version = "h:" + ContentHash.of(event)
        }
        return SourceItem(key: key, version: version, event: event)
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
        switch t {  // the common spellings first, without trimming and case folding
        case "1", "true", "t": return true
        case "0", "false", "f", "": return false
        default: break
        }
        switch t.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "t", "yes", "y", "-1": return true
        case "0", "false", "f", "no", "n", "": return false
        default: throw RowError(column: column, reason: "\"\(t)\" is not a boolean (1/0, true/false, yes/no)")
        }
    }

    private func status(_ t: String, column: String) throws(RowError) -> EventStatus {
        switch t {  // the common spellings first, without trimming and case folding
        case "confirmed", "": return .confirmed
        case "tentative": return .tentative
        case "cancelled": return .cancelled
        default: break
        }
        switch t.trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "confirmed": return .confirmed
        case "tentative": return .tentative
        case "cancelled", "canceled": return .cancelled
        default:
            throw RowError(
                column: column,
                reason: "\"\(t)\" is not confirmed, tentative or cancelled: map it with CASE in read_query")
        }
    }

    /// An event time from a cell; nil for NULL.
    private func time(_ v: CellValue, allDay: Bool?, column: String) throws(RowError) -> EventTime? {
        let temporal: TemporalText
        switch v {
        case .null: return nil
        case .timestamp(let t): temporal = .naive(t)
        case .date(let d): temporal = .date(d)
        case .text(let s):
            guard let t = TemporalText(s) else {
                throw RowError(
                    column: column, reason: "\"\(s)\" is not a date or timestamp (YYYY-MM-DD[ HH:MM[:SS]][offset])")
            }
            temporal = t
        case .time:
            throw RowError(
                column: column, reason: "is a time of day without a date; combine it with the date column in read_query"
            )
        case .invalidText, .truncated: throw RowError(column: column, reason: "is unreadable")
        }
        switch temporal {
        case .date(let d):
            if allDay == false {
                return .instant(resolver.instant(WallClock(date: d, hour: 0, minute: 0, second: 0)), timeZone: zoneID)
            }
            return .allDay(d)
        case .naive(let n):
            if allDay == true { return .allDay(n.date) }
            return .instant(resolver.instant(n), timeZone: zoneID)
        case .instant(let i):
            if allDay == true { return .allDay(resolver.wall(i).date) }
            return .instant(i, timeZone: nil)
        }
    }

    private func instant(_ v: CellValue, column: String) throws(RowError) -> Date? {
        guard let t = try time(v, allDay: false, column: column) else { return nil }
        return t.date(in: resolver.timeZone)
    }
}
