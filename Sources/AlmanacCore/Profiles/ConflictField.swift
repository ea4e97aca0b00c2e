import Foundation

/// A field `conflicts.by` groups appointments by: `title`, `location`, `description`,
/// `participant_N_name`, `participant_N_email`, `participant_N_phone` (N from 0) or
/// `custom.NAME` (a source column that is not a standard field).
public enum ConflictField: Sendable, Hashable, CustomStringConvertible {
    case title, location, description
    case participantName(Int), participantEmail(Int), participantPhone(Int)
    case custom(String)

    /// The accepted spellings, for messages.
    public static let grammar =
        "title, location, description, participant_N_name, participant_N_email, participant_N_phone, custom.NAME"

    /// Nil when `text` names no field.
    public init?(_ text: String) {
        switch text {
        case "title": self = .title
        case "location": self = .location
        case "description": self = .description
        default:
            if text.hasPrefix("custom.") {
                let name = String(text.dropFirst(7))
                guard !name.isEmpty else { return nil }
                self = .custom(name)
                return
            }
            let parts = text.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "participant", let n = Int(parts[1]), n >= 0,
                String(n) == parts[1]
            else { return nil }
            switch parts[2] {
            case "name": self = .participantName(n)
            case "email": self = .participantEmail(n)
            case "phone": self = .participantPhone(n)
            default: return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .title: return "title"
        case .location: return "location"
        case .description: return "description"
        case .participantName(let n): return "participant_\(n)_name"
        case .participantEmail(let n): return "participant_\(n)_email"
        case .participantPhone(let n): return "participant_\(n)_phone"
        case .custom(let name): return "custom.\(name)"
        }
    }

    /// The field's value in `event`, trimmed and case-folded; nil when absent or blank.
    public func value(in event: Event) -> String? {
        let raw: String?
        switch self {
        case .title: raw = event.title
        case .location: raw = event.location
        case .description: raw = event.description
        case .participantName(let n): raw = n < event.participants.count ? event.participants[n].name : nil
        case .participantEmail(let n): raw = n < event.participants.count ? event.participants[n].email : nil
        case .participantPhone(let n): raw = n < event.participants.count ? event.participants[n].phone() : nil
        case .custom(let name): raw = event.custom[name]
        }
        guard let raw else { return nil }
        let folded = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return folded.isEmpty ? nil : folded
    }
}
