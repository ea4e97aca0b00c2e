import Foundation

/// When an event starts or ends: an instant (with the zone it was expressed in, if known) or,
/// for all-day events, a civil date. An all-day event's end is exclusive, as in iCalendar.
public enum EventTime: Hashable, Sendable, Codable {
    case instant(Date, timeZone: String?)
    case allDay(CivilDate)

    /// The instant for comparisons and windows; all-day dates are taken at 00:00 in `zone`.
    public func date(in zone: TimeZone) -> Date {
        switch self {
        case .instant(let d, _): return d
        case .allDay(let c):
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = zone
            return cal.date(from: DateComponents(year: c.year, month: c.month, day: c.day))!
        }
    }

    public var isAllDay: Bool {
        if case .allDay = self { return true }
        return false
    }
}

public enum EventStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case confirmed, tentative, cancelled
}

/// A participant's answer to an invitation. The first participant's response drives write-back:
/// `accepted` is a confirmation, `declined` a cancellation (ARCHITECTURE.md §5).
public enum ResponseStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case needsAction = "needs_action"
    case accepted, declined, tentative
}

public enum PhoneKind: String, Hashable, Sendable, Codable, CaseIterable {
    case mobile, home, work, other
}

public struct Participant: Hashable, Sendable, Codable {
    public var name: String?
    public var email: String?
    /// Phones by kind; `phone` picks one by the profile's priority.
    public var phones: [PhoneKind: String]
    public var response: ResponseStatus

    @inlinable
    public init(
        name: String? = nil, email: String? = nil, phones: [PhoneKind: String] = [:],
        response: ResponseStatus = .needsAction
    ) {
        self.name = name
        self.email = email
        self.phones = phones
        self.response = response
    }

    /// The first phone present in `priority` (default: mobile, home, work, other).
    public func phone(priority: [PhoneKind] = [.mobile, .home, .work, .other]) -> String? {
        for kind in priority { if let p = phones[kind], !p.isEmpty { return p } }
        return nil
    }
}

/// Identity of one occurrence of a recurring series: the series' key on its side and the
/// occurrence's original start (Google `recurringEventId` + `originalStartTime`).
public struct RecurrenceInstance: Hashable, Sendable, Codable {
    public var seriesKey: String
    public var originalStart: EventTime

    public init(seriesKey: String, originalStart: EventTime) {
        self.seriesKey = seriesKey
        self.originalStart = originalStart
    }
}

/// The canonical appointment every connector reads into and writes from.
///
/// Connectors fill what their side can represent and leave the rest nil/empty; the engine's
/// content hashes cover only the fields both sides of a job can carry (see `EventField`).
public struct Event: Hashable, Sendable, Codable {
    public var title: String?
    public var description: String?
    public var location: String?
    public var start: EventTime
    public var end: EventTime?
    public var status: EventStatus
    public var participants: [Participant]
    /// Source columns that are not standard fields (`appt_type` → `custom["appt_type"]`).
    public var custom: [String: String]
    public var created: Date?
    public var updated: Date?
    public var recurrence: RecurrenceInstance?
    /// The recurrence of an event that is itself a recurring series (in a job with
    /// `recurrence = "series"`); nil for a single appointment or one instance.
    public var series: EventSeries?
    /// The origin stamp found on the item, if almanac created it (profile/job/source key hash).
    public var origin: String?
    /// The contact this item is, in a job of `kind = "contacts"`: the engine moves contacts in
    /// this envelope (`Contact.envelope`), whose start is `Contact.envelopeStart` and whose
    /// title is the contact's name; nil for an appointment.
    public var contact: Contact?

    @inlinable
    public init(
        title: String? = nil, description: String? = nil, location: String? = nil,
        start: EventTime, end: EventTime? = nil, status: EventStatus = .confirmed,
        participants: [Participant] = [], custom: [String: String] = [:],
        created: Date? = nil, updated: Date? = nil, recurrence: RecurrenceInstance? = nil,
        origin: String? = nil, contact: Contact? = nil, series: EventSeries? = nil
    ) {
        self.title = title
        self.description = description
        self.location = location
        self.start = start
        self.end = end
        self.status = status
        self.participants = participants
        self.custom = custom
        self.created = created
        self.updated = updated
        self.recurrence = recurrence
        self.origin = origin
        self.contact = contact
        self.series = series
    }
}

/// The fields of `Event` by name, for capability declarations, `to_owns` and content hashing.
/// `recurrence` is an instance's identity (`Event.recurrence`) and a series' rules
/// (`Event.series`), declared by the connectors that store them.
public enum EventField: String, Hashable, Sendable, Codable, CaseIterable {
    case title, description, location, start, end, status, participants, responses, custom, recurrence
}
