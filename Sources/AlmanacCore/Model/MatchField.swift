/// A field a job's first link compares (`match = ["start_time", "title"]`): unlinked items of
/// both sides whose match fields all agree are the same appointment (ARCHITECTURE.md §5).
///
/// Names are those of the standard fields (`start_time`, `end_time`, `title`, `content`,
/// `location`, `status`, `participant_N_name|email|phone`) or `custom.NAME` for the custom field
/// `NAME` (`Event.custom`).
public enum MatchField: Hashable, Sendable, CustomStringConvertible {
    case startTime, endTime, title, content, location, status
    case participantName(Int), participantEmail(Int), participantPhone(Int)
    case custom(String)

    /// What a job matches on when it does not say: the start and the title.
    public static let defaults: [MatchField] = [.startTime, .title]

    /// The standard names, for messages.
    public static let standardNames = [
        "start_time", "end_time", "title", "content", "location", "status", "participant_N_name",
        "participant_N_email", "participant_N_phone",
    ]

    /// The field named `name`, nil when there is none by that name.
    public init?(name: String) {
        switch name {
        case "start_time": self = .startTime
        case "end_time": self = .endTime
        case "title": self = .title
        case "content": self = .content
        case "location": self = .location
        case "status": self = .status
        default:
            if name.hasPrefix("custom."), name.count > "custom.".count {
                self = .custom(String(name.dropFirst("custom.".count)))
                return
            }
            let parts = name.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "participant", parts[1].count == 1, let n = Int(parts[1]) else {
                return nil
            }
            switch parts[2] {
            case "name": self = .participantName(n)
            case "email": self = .participantEmail(n)
            case "phone": self = .participantPhone(n)
            default: return nil
            }
        }
    }

    public var name: String {
        switch self {
        case .startTime: return "start_time"
        case .endTime: return "end_time"
        case .title: return "title"
        case .content: return "content"
        case .location: return "location"
        case .status: return "status"
        case .participantName(let n): return "participant_\(n)_name"
        case .participantEmail(let n): return "participant_\(n)_email"
        case .participantPhone(let n): return "participant_\(n)_phone"
        case .custom(let s): return "custom.\(s)"
        }
    }

    public var description: String { name }
}
