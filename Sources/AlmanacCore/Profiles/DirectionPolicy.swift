import Foundation

/// How much of an item leaves its side in one direction of a job (`privacy`).
public enum PrivacyMode: String, Sendable, Hashable, CaseIterable {
    /// Every field the other side represents.
    case full
    /// Start, end (all-day flag and zone) and a fixed title (`busy_title`, default "Busy").
    case busy
    /// Start, end and a title made by `redacted_title` from the item's non-participant fields.
    case redacted
}

/// What one direction of a job writes (README "Privacy and filters"): the `privacy` mode and
/// the `include`/`exclude` field filters, evaluated on the mapped item. The job's top-level keys
/// give the `from` → `to` direction.
public struct DirectionPolicy: Sendable, Hashable {
    public var privacy: PrivacyMode
    /// The title `busy` writes.
    public var busyTitle: String
    /// The mustache template `redacted` makes the title with (no participant fields, no description).
    public var redactedTitle: String
    /// Field → values: an item is synced only when every named field holds one of its values.
    public var include: [String: [String]]
    /// Field → values: an item is not synced when any named field holds one of its values.
    public var exclude: [String: [String]]

    public static let defaultBusyTitle = "Busy"
    public static let defaultRedactedTitle = "Appointment"

    public init(
        privacy: PrivacyMode = .full, busyTitle: String = Self.defaultBusyTitle,
        redactedTitle: String = Self.defaultRedactedTitle, include: [String: [String]] = [:],
        exclude: [String: [String]] = [:]
    ) {
        self.privacy = privacy
        self.busyTitle = busyTitle
        self.redactedTitle = redactedTitle
        self.include = include
        self.exclude = exclude
    }

    /// What a dry run says of the policy before its plan: what `to` gets, and the filters (none
    /// for a full policy without filters).
    public var summary: [String] {
        var out: [String] = []
        switch privacy {
        case .full: break
        case .busy: out.append("privacy busy: to gets start, end and the title \"\(busyTitle)\" only")
        case .redacted: out.append("privacy redacted: to gets start, end and the title \"\(redactedTitle)\" only")
        }
        for (name, filter) in [("include", include), ("exclude", exclude)] where !filter.isEmpty {
            let fields = filter.keys.sorted().map { key in
                "\(key) = " + filter[key]!.map { "\"\($0)\"" }.joined(separator: ", ")
            }
            out.append("\(name): \(fields.joined(separator: "; "))")
        }
        return out
    }

    /// Whether the policy changes or filters anything.
    public var isFull: Bool { privacy == .full && include.isEmpty && exclude.isEmpty }

    /// The standard field names a filter may name (the source column names of ARCHITECTURE.md §3);
    /// any other lower-case name is a custom field. Times are not filtered on (the window does that).
    public static let standardFilterFields: [String] =
        ["title", "content", "location", "status", "all_day"]
        + (0..<10).flatMap { n in
            ["name", "email", "phone", "phone_mobile", "phone_home", "phone_work", "response"].map {
                "participant_\(n)_\($0)"
            }
        }

    /// Standard names that are not filter fields (times, keys and stamps).
    public static let unfilterableFields: Set<String> = [
        "external_id", "start_time", "end_time", "created", "updated",
    ]

    /// The template variables `redacted_title` may not use: participant fields and the description.
    public static func isPrivateVariable(_ name: String) -> Bool {
        name.hasPrefix("participant_") || name == "description" || name == "content"
    }

    /// The variable names a mustache template refers to (`{{name}}`, `{{#name}}`, `{{{name}}}`…).
    public static func templateVariables(_ text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            let tag = rest[..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: "{}#^/&! \t"))
            if !tag.isEmpty { out.append(tag) }
            rest = rest[close.upperBound...]
        }
        return out
    }
}
