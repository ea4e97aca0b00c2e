import AlmanacCore
import Foundation

/// The one place where what leaves the `from` side is decided (README "Privacy and filters"):
/// `privacy` strips the item in the job's view (`SyncJob.fromView`) before it is hashed, compared
/// and written, so the state's hash is that of what `to` holds; `include`/`exclude` say whether
/// the mapped item goes at all.
struct OutboundPolicy: Sendable {
    let policy: DirectionPolicy
    let redactedTitle: TitleTemplate?
    let phonePriority: [PhoneKind]

    /// - Throws: `config.invalid_value` when `redacted_title` does not parse.
    init(_ policy: DirectionPolicy, phonePriority: [PhoneKind]) throws {
        self.policy = policy
        self.phonePriority = phonePriority
        redactedTitle = policy.privacy == .redacted ? try TitleTemplate(policy.redactedTitle) : nil
    }

    /// Whether `apply` changes items.
    var strips: Bool { policy.privacy != .full }

    /// `event` as the privacy mode lets it leave: for `busy` and `redacted`, start and end (all-day
    /// or with their zone), the origin stamp and the title (fixed, or from the template over
    /// non-participant fields), with the status `confirmed` (a tentative item shows as busy too);
    /// no description, location, participants or custom fields.
    func apply(_ event: Event) -> Event {
        let title: String
        switch policy.privacy {
        case .full: return event
        case .busy: title = policy.busyTitle
        case .redacted:
            var fields = event.custom
            fields["title"] = event.title
            fields["location"] = event.location
            fields["status"] = event.status.rawValue
            for name in fields.keys where DirectionPolicy.isPrivateVariable(name) { fields[name] = nil }
            title = redactedTitle?.render(fields) ?? ""
        }
        return Event(
            title: title, start: event.start, end: event.end, status: .confirmed, created: event.created,
            updated: event.updated, recurrence: event.recurrence, origin: event.origin)
    }

    /// Why the mapped item `event` is filtered out (`include`/`exclude`), or nil when it goes.
    func filteredOut(_ event: Event) -> String? {
        for field in policy.include.keys.sorted() {
            let value = Self.value(field, of: event, phonePriority: phonePriority)
            if !policy.include[field]!.contains(where: { Self.normalised($0, field) == value }) {
                return "not included (include.\(field))"
            }
        }
        for field in policy.exclude.keys.sorted() {
            let value = Self.value(field, of: event, phonePriority: phonePriority)
            if policy.exclude[field]!.contains(where: { Self.normalised($0, field) == value }) {
                return "excluded (exclude.\(field))"
            }
        }
        return nil
    }

    /// A filter value as compared: surrounding white space removed, e-mail addresses lower-cased.
    static func normalised(_ text: String?, _ field: String) -> String {
        let t = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return field.hasSuffix("_email") ? t.lowercased() : t
    }

    /// The value of the filter field `field` (a standard field's column name, else a custom field)
    /// in the mapped `event`, normalised: status and responses by name (`confirmed`, `accepted`),
    /// `all_day` as `true`/`false`, absent as empty.
    static func value(_ field: String, of event: Event, phonePriority: [PhoneKind]) -> String {
        switch field {
        case "title": return normalised(event.title, field)
        case "content": return normalised(event.description, field)
        case "location": return normalised(event.location, field)
        case "status": return event.status.rawValue
        case "all_day": return event.start.isAllDay ? "true" : "false"
        default: break
        }
        guard field.hasPrefix("participant_"), let (n, attribute) = participantField(field) else {
            return normalised(event.custom[field], field)
        }
        guard n < event.participants.count else { return "" }
        let p = event.participants[n]
        switch attribute {
        case "name": return normalised(p.name, field)
        case "email": return normalised(p.email, field)
        case "phone": return normalised(p.phone(priority: phonePriority), field)
        case "phone_mobile": return normalised(p.phones[.mobile], field)
        case "phone_home": return normalised(p.phones[.home], field)
        case "phone_work": return normalised(p.phones[.work], field)
        case "response": return p.response.rawValue
        default: return ""
        }
    }

    /// `participant_3_email` → (3, "email").
    private static func participantField(_ field: String) -> (Int, String)? {
        let rest = field.dropFirst("participant_".count)
        guard let underscore = rest.firstIndex(of: "_"), let n = Int(rest[..<underscore]) else { return nil }
        return (n, String(rest[rest.index(after: underscore)...]))
    }
}
