import Foundation

/// The fields of an appointment the model follows, as plain values. The same shape serves a
/// database row and a calendar event (for an event, `name`/`email` are its first attendee's and
/// `kind` its custom field).
struct Fields: Hashable, Sendable {
    var title: String?
    var notes: String?
    var location: String?
    var start: Date
    var end: Date?
    var name: String?
    var email: String?
    var kind: String?
}

/// The fields the model compares, each a unit of the engine's field merge (`participant` is
/// name and e-mail together, as the engine's `participants` field is).
enum Field: String, CaseIterable, Sendable {
    case title, notes, location, start, end, participant, kind

    /// The fields a job between the SQLite table and `calendar` syncs: Cronofy keeps no
    /// participants (beyond attendees' answers) and no custom fields.
    static func synced(_ calendar: CalendarKind) -> [Field] {
        calendar == .google ? allCases : [.title, .notes, .location, .start, .end]
    }

    /// The units the engine merges: each field alone, start and end together.
    static func units(_ fields: [Field]) -> [[Field]] {
        let time = fields.filter { $0 == .start || $0 == .end }
        return fields.compactMap { f in
            f == .start ? time : f == .end ? (time.contains(.start) ? nil : [f]) : [f]
        }
    }

    func value(_ f: Fields) -> String {
        switch self {
        case .title: return f.title ?? ""
        case .notes: return f.notes ?? ""
        case .location: return f.location ?? ""
        case .start: return String(Int(f.start.timeIntervalSince1970))
        // A calendar event needs an end: one without is stored ending when it starts (Google
        // and Cronofy READMEs), which is the same appointment.
        case .end: return String(Int((f.end ?? f.start).timeIntervalSince1970))
        case .participant: return (f.name ?? "") + "|" + (f.email ?? "").lowercased()
        case .kind: return f.kind ?? ""
        }
    }

    func copy(from source: Fields, into target: inout Fields) {
        switch self {
        case .title: target.title = source.title
        case .notes: target.notes = source.notes
        case .location: target.location = source.location
        case .start: target.start = source.start
        case .end: target.end = source.end
        case .participant:
            target.name = source.name
            target.email = source.email
        case .kind: target.kind = source.kind
        }
    }
}

/// A row of the `appts` table as the model expects it.
struct RowValue: Hashable, Sendable {
    var fields: Fields
    /// The row's `updated` relative to the calendar's edits: true = later than any, false =
    /// earlier, nil = NULL (rows written back from the calendar). Decides `newest-wins`.
    var newer: Bool?
    /// How often `on_confirmed` / `on_cancelled` ran for the row (the statements count).
    var confirmed = 0
    var cancelled = 0
}

/// A live calendar event as the model expects it.
struct EventValue: Hashable, Sendable {
    var fields: Fields
    /// The first attendee's answer (`needsAction`, `accepted`, `declined`), "" without attendees.
    var response: String
    /// Made in the calendar itself (no origin stamp), rather than by almanac.
    var external: Bool
}

extension EventValue {
    /// As the calendar stores it: an event without an end ends when it starts.
    var stored: EventValue {
        var e = self
        if e.fields.end == nil { e.fields.end = e.fields.start }
        return e
    }
}

/// What the model expects the engine's state to hold for an item: the link between a row and an
/// event and the last synced base.
struct Link: Sendable {
    var rowID: String?
    var eventKey: String?
    /// The last synced value of each field; nil on a first link (after the state was lost).
    var base: Fields?
    /// The row's fields when the event was deleted on the calendar (or its create skipped):
    /// the engine re-creates the event only once the row changes from these.
    var waitingFor: Fields?
    /// The first attendee's answer last seen, and the last write-back sent.
    var responseSeen: String?
    var writeBack: String?
    var generation = 0
}

/// Counts the model expects from one run.
struct ExpectedCounts: Equatable, CustomStringConvertible {
    var toCreated = 0, toUpdated = 0, toDeleted = 0
    var fromCreated = 0, fromUpdated = 0, fromDeleted = 0, confirmed = 0, cancelled = 0

    var description: String {
        "to: \(toCreated)c \(toUpdated)u \(toDeleted)d; from: \(fromCreated)c \(fromUpdated)u \(fromDeleted)d "
            + "\(confirmed) confirmed \(cancelled) cancelled"
    }
}
