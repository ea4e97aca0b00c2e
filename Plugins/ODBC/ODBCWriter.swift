import AlmanacCore
import Foundation
import RowMapping

/// The write side of `ODBCConnector`: each change runs its statement in a transaction of its
/// own, with every named parameter bound.
///
/// Parameter names (README "Write statements"): the standard fields (`:external_id`, `:title`,
/// `:content`, `:location`, `:start_time`, `:end_time`, `:all_day`, `:status`, `:created`,
/// `:updated`, `:participant_N_name|email|response|phone|phone_mobile|phone_home|phone_work`)
/// and custom fields as `:custom.NAME` or bare `:NAME`. A field the item lacks is bound as NULL.
/// Contacts bind their own names (`contactParameter`).
extension ODBCConnector {
    /// One outcome per change. Throws only when the connection cannot be opened at all.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        var outcomes: [WriteOutcome] = []
        outcomes.reserveCapacity(changes.count)
        for change in changes {
            outcomes.append(try apply(change))
        }
        return outcomes
    }

    private func apply(_ change: Change) throws -> WriteOutcome {
        let kind: ODBCSettings.StatementKind
        let key: String
        let event: Event?
        switch change {
        case .create(let id, let e): (kind, key, event) = (.insert, id, e)
        case .update(let k, _, let e): (kind, key, event) = (.update, k, e)
        case .delete(let k, _): (kind, key, event) = (.delete, k, nil)
        case .confirm(let k, let e): (kind, key, event) = (.onConfirmed, k, e)
        case .cancel(let k, let e): (kind, key, event) = (.onCancelled, k, e)
        }
        guard let statement = settings.statements[kind] else {
            return .failed(
                retryable: false,
                reason: "\(place): no \(kind.rawValue) statement is configured for job \"\(context.job)\"")
        }
        let values = statement.names.map { parameter($0, key: key, event: event) }
        let affected: Int
        do {
            affected = try withReconnect { conn in
                let stmt = try self.statement(statement.sql, on: conn)
                do {
                    try stmt.bind(values)
                    try stmt.execute()
                    let n = try stmt.rowCount()
                    stmt.closeCursor()
                    try conn.endTransaction(commit: true)
                    return n
                } catch {
                    stmt.closeCursor()
                    try? conn.endTransaction(commit: false)
                    throw error
                }
            }
        } catch let e as ODBCCallError {
            let error = queryError(e, what: "the \(kind.rawValue) statement for \(key)")
            if e.isConnectionLost { drop() }
            return .failed(retryable: e.isTimeout || e.isConnectionLost, reason: error.description)
        }
        if affected == 0 {
            if kind == .insert {
                return .failed(retryable: false, reason: "\(place): the insert statement for \(key) affected no row")
            }
            context.logger.info(
                "odbc statement affected no row",
                metadata: ["connector": "odbc", "statement": "\(kind.rawValue)", "key": "\(key)"])
            return .gone
        }
        return .written(key: key, version: nil)
    }

    /// The bound value of the named parameter `name` for an item.
    func parameter(_ name: String, key: String, event: Event?) -> ODBCParameter {
        let lower = name.lowercased()
        if lower == "external_id" { return .text(key) }
        guard let e = event else {
            return .text(nil)
        }
        if let contact = e.contact, let rules = settings.contacts {
            return contactParameter(name, contact: contact, rules: rules)
        }
        switch lower {
        case "title": return .text(e.title)
        case "content", "description": return .text(e.description)
        case "location": return .text(e.location)
        case "start_time": return .timestamp(wall(e.start))
        case "end_time": return .timestamp(e.end.map(wall))
        case "all_day": return .bool(e.start.isAllDay)
        case "status": return .text(e.status.rawValue)
        case "created": return .timestamp(e.created.map(resolver.wall))
        case "updated": return .timestamp(e.updated.map(resolver.wall))
        case RecurrenceColumns.originalStart: return .timestamp(e.recurrence.map { wall($0.originalStart) })
        case RecurrenceColumns.seriesID, RecurrenceColumns.rrule, RecurrenceColumns.rdate, RecurrenceColumns.exdate:
            return .text(RecurrenceColumns.value(lower, of: e, zone: resolver.timeZone) { _ in "" })
        default: break
        }
        if case .participant(let n, let attribute) = StandardField(name: lower) {
            let p = n < e.participants.count ? e.participants[n] : nil
            switch attribute {
            case .name: return .text(p?.name)
            case .email: return .text(p?.email)
            case .response: return .text(p?.response.rawValue)
            case .phone: return .text(p?.phone(priority: context.phonePriority))
            case .phoneMobile, .phoneHome, .phoneWork: return .text(p?.phones[attribute.phoneKind!])
            }
        }
        let custom = name.hasPrefix("custom.") ? String(name.dropFirst(7)) : name
        return .text(e.custom[custom])
    }

    private func wall(_ t: EventTime) -> WallClock {
        switch t {
        case .allDay(let d): return WallClock(date: d, hour: 0, minute: 0, second: 0)
        case .instant(let d, _): return resolver.wall(d)
        }
    }
}
