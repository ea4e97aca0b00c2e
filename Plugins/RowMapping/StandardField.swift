import AlmanacCore

/// A column or element of a source row, by the standard field it carries (ARCHITECTURE.md §3): the one
/// classification of names for every source connector (odbc columns, csv headers, xml fields).
///
/// `StandardField(name:)` classifies a name: the standard names map to their case, anything else
/// becomes `.custom(name)` and ends up in `Event.custom`. Names are exact: a connector whose
/// names are case-insensitive (SQL columns, CSV headers) lower-cases them first.
public enum StandardField: Hashable, Sendable, CustomStringConvertible {
    case externalID, title, content, location, startTime, endTime, allDay, status, created, updated
    case participant(Int, ParticipantAttribute)
    case custom(String)

    /// What a `participant_N_…` column carries.
    public enum ParticipantAttribute: String, Hashable, Sendable, CaseIterable {
        case name, email
        /// `participant_N_phone`: a phone of unknown kind (stored as `PhoneKind.other`).
        case phone
        case phoneMobile = "phone_mobile"
        case phoneHome = "phone_home"
        case phoneWork = "phone_work"
        /// `participant_N_response`: needs_action, accepted, declined or tentative (`FieldText.response`).
        case response

        /// The kind of phone this attribute carries, nil for name, email and response.
        public var phoneKind: PhoneKind? {
            switch self {
            case .phone: return .other
            case .phoneMobile: return .mobile
            case .phoneHome: return .home
            case .phoneWork: return .work
            case .name, .email, .response: return nil
            }
        }
    }

    /// The highest participant index accepted (`participant_9_…`).
    public static let maxParticipants = 10

    /// The standard fields that are not participants, in the order files are written.
    public static let scalars: [StandardField] = [
        .externalID, .title, .content, .location, .startTime, .endTime, .allDay, .status, .created, .updated,
    ]

    public init(name: String) {
        switch name {
        case "external_id": self = .externalID
        case "title": self = .title
        case "content": self = .content
        case "location": self = .location
        case "start_time": self = .startTime
        case "end_time": self = .endTime
        case "all_day": self = .allDay
        case "status": self = .status
        case "created": self = .created
        case "updated": self = .updated
        default:
            if let p = StandardField.participant(name) { self = p } else { self = .custom(name) }
        }
    }

    private static func participant(_ name: String) -> StandardField? {
        let prefix = "participant_"
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let underscore = rest.firstIndex(of: "_"), let n = Int(rest[..<underscore]),
            (0..<maxParticipants).contains(n), rest[..<underscore].count == 1,
            let attr = ParticipantAttribute(rawValue: String(rest[rest.index(after: underscore)...]))
        else { return nil }
        return .participant(n, attr)
    }

    /// The name as it appears in a header or a `columns`/`fields` key.
    public var name: String {
        switch self {
        case .externalID: return "external_id"
        case .title: return "title"
        case .content: return "content"
        case .location: return "location"
        case .startTime: return "start_time"
        case .endTime: return "end_time"
        case .allDay: return "all_day"
        case .status: return "status"
        case .created: return "created"
        case .updated: return "updated"
        case .participant(let n, let a): return "participant_\(n)_\(a.rawValue)"
        case .custom(let s): return s
        }
    }

    public var description: String { name }

    public var isCustom: Bool {
        if case .custom = self { return true }
        return false
    }

    /// Fields that hold a date or a date-time and may have a `formats` entry.
    public var isTemporal: Bool {
        switch self {
        case .startTime, .endTime, .created, .updated: return true
        default: return false
        }
    }
}
