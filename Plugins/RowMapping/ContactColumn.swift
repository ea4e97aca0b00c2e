import AlmanacCore

/// A standard column of a contacts row (a job of `kind = "contacts"`): the one classification of
/// contact column, header and element names for every source connector, beside `StandardField`
/// for events. `external_id` and `updated` are the `StandardField`s of the same names; anything
/// that is neither is a custom field under its own name (`Contact.custom`).
///
/// Names (lower-cased first where the source's names are case-insensitive): `given_name`,
/// `family_name`, `display_name`, `organization`, `job_title`, `email_N` and `email_N_kind`
/// (N = 0…9; kind `home`, `work` or `other`, default other), `phone_mobile|home|work|other`,
/// `address_street|city|region|postal_code|country`, `birthday` (YYYY-MM-DD), `notes`, `groups`
/// (group names joined by `ContactRules.groupsDelimiter`).
public enum ContactColumn: Hashable, Sendable, CustomStringConvertible {
    case givenName, familyName, displayName, organization, jobTitle
    case email(Int)
    case emailKind(Int)
    case phone(PhoneKind)
    case address(AddressPart)
    case birthday, notes, groups

    /// The part of `PostalAddress` an `address_*` column carries.
    public typealias AddressPart = PostalAddress.Part

    /// The highest email index accepted is `maxEmails - 1` (`email_9`).
    public static let maxEmails = 10

    /// The columns every contacts file gets, in the order files are written (after `external_id`);
    /// `email_N` and `email_N_kind` follow for the emails in use, then `updated`.
    public static let fixed: [ContactColumn] =
        [.givenName, .familyName, .displayName, .organization, .jobTitle]
        + PhoneKind.allCases.map { .phone($0) } + AddressPart.allCases.map { .address($0) }
        + [.birthday, .notes, .groups]

    public init?(name: String) {
        switch name {
        case "given_name": self = .givenName
        case "family_name": self = .familyName
        case "display_name": self = .displayName
        case "organization": self = .organization
        case "job_title": self = .jobTitle
        case "birthday": self = .birthday
        case "notes": self = .notes
        case "groups": self = .groups
        default:
            if name.hasPrefix("phone_"), let kind = PhoneKind(rawValue: String(name.dropFirst(6))) {
                self = .phone(kind)
            } else if name.hasPrefix("address_"), let part = AddressPart(rawValue: String(name.dropFirst(8))) {
                self = .address(part)
            } else if name.hasPrefix("email_") {
                let rest = name.dropFirst(6)
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard digits.count == 1, let n = Int(digits), n < Self.maxEmails else { return nil }
                switch rest.dropFirst(1) {
                case "": self = .email(n)
                case "_kind": self = .emailKind(n)
                default: return nil
                }
            } else {
                return nil
            }
        }
    }

    public var name: String {
        switch self {
        case .givenName: return "given_name"
        case .familyName: return "family_name"
        case .displayName: return "display_name"
        case .organization: return "organization"
        case .jobTitle: return "job_title"
        case .email(let n): return "email_\(n)"
        case .emailKind(let n): return "email_\(n)_kind"
        case .phone(let kind): return "phone_\(kind.rawValue)"
        case .address(let part): return "address_\(part.rawValue)"
        case .birthday: return "birthday"
        case .notes: return "notes"
        case .groups: return "groups"
        }
    }

    public var description: String { name }

    /// The contact field this column carries (`Connector.contactFields`).
    public var field: ContactField {
        switch self {
        case .givenName, .familyName, .displayName: return .name
        case .organization, .jobTitle: return .organization
        case .email, .emailKind: return .emails
        case .phone: return .phones
        case .address: return .address
        case .birthday: return .birthday
        case .notes: return .notes
        case .groups: return .groups
        }
    }

    /// The contact parts a side with these column (or parameter) names stores
    /// (`Connector.contactShape`): the name parts, organization and job title, birthday, notes and
    /// groups named; `email_0`… up to the first index missing, with the kinds of those whose
    /// `email_N_kind` is named (from 0 on); one phone of each `phone_*` kind; the `address_*`
    /// parts; custom fields when `custom` (a name that is no standard column, or a file's
    /// free columns).
    public static func shape(of names: some Sequence<String>, custom: Bool) -> ContactShape {
        let columns = Set(names.compactMap { ContactColumn(name: $0.lowercased()) })
        var emails = 0
        while columns.contains(.email(emails)) { emails += 1 }
        var kinds = 0
        while kinds < emails && columns.contains(.emailKind(kinds)) { kinds += 1 }
        let nameParts: [(ContactColumn, ContactShape.NamePart)] = [
            (.givenName, .given), (.familyName, .family), (.displayName, .display),
        ]
        return ContactShape(
            names: Set(nameParts.filter { columns.contains($0.0) }.map(\.1)),
            organization: columns.contains(.organization), jobTitle: columns.contains(.jobTitle), emails: emails,
            emailKinds: kinds, phoneKinds: Set(PhoneKind.allCases.filter { columns.contains(.phone($0)) }),
            phonesPerKind: 1, addressParts: Set(AddressPart.allCases.filter { columns.contains(.address($0)) }),
            birthday: columns.contains(.birthday), notes: columns.contains(.notes), groups: columns.contains(.groups),
            custom: custom)
    }

    /// Whether a side of `shape` stores this column: its name part, e-mail (kind) within the
    /// shape's count, phone kind, address part, or field.
    public func isStored(in shape: ContactShape) -> Bool {
        switch self {
        case .givenName: return shape.names.contains(.given)
        case .familyName: return shape.names.contains(.family)
        case .displayName: return shape.names.contains(.display)
        case .organization: return shape.organization
        case .jobTitle: return shape.jobTitle
        case .email(let n): return n < shape.emails
        case .emailKind(let n): return n < shape.emailKinds
        case .phone(let kind): return shape.phoneKinds.contains(kind) && shape.phonesPerKind > 0
        case .address(let part): return shape.addressParts.contains(part)
        case .birthday: return shape.birthday
        case .notes: return shape.notes
        case .groups: return shape.groups
        }
    }

    /// The contact field a column or parameter name stands for: a contact column's, `custom` for
    /// any other name but `external_id` and `updated` (nil).
    public static func field(named name: String) -> ContactField? {
        let lower = name.lowercased()
        if let column = ContactColumn(name: lower) { return column.field }
        if lower == "external_id" || lower == "updated" { return nil }
        return .custom
    }
}

/// How a contacts row reads and writes besides its columns: the profile's `default_region` for
/// phones, the `groups` delimiter, and where a phone kept as given is reported.
public struct ContactRules: Sendable {
    /// ISO 3166 alpha-2 region of numbers written without a country code (`default_region`).
    public var defaultRegion: String?
    /// What separates group names in a `groups` value (job setting `groups_delimiter`, default `;`).
    public var groupsDelimiter: String
    /// Called for each phone of a mapped row that could not be normalised and is kept as given
    /// (the row is still an item): the connector logs it. Nil: not reported.
    public var reportKeptPhone: (@Sendable (KeptPhone) -> Void)?
    /// What the side being written stores (`Connector.contactShape`): `RowRenderer` leaves out
    /// the columns outside it, so a write never adds a part the side does not store. Nil: every
    /// column. Not part of `fingerprintSettings`.
    public var shape: ContactShape?

    public static let defaultGroupsDelimiter = ";"

    public init(
        defaultRegion: String? = nil, groupsDelimiter: String = ContactRules.defaultGroupsDelimiter,
        reportKeptPhone: (@Sendable (KeptPhone) -> Void)? = nil
    ) {
        self.defaultRegion = defaultRegion
        self.groupsDelimiter = groupsDelimiter.isEmpty ? Self.defaultGroupsDelimiter : groupsDelimiter
        self.reportKeptPhone = reportKeptPhone
    }

    /// What makes a row's contact differ besides its bytes (fingerprints and file versions mix it in).
    public var fingerprintSettings: [String] { ["contacts", defaultRegion ?? "", groupsDelimiter] }

    /// A short tag of `fingerprintSettings`, for versions hashed from a row's values alone (xml):
    /// appended to them, so that changing the rules changes every contact's version.
    public var versionTag: String {
        var h = ContentHash()
        for s in fingerprintSettings { h.add(s) }
        return String(h.hex.prefix(8))
    }

    /// The group names of a `groups` value: split at the delimiter, trimmed, empty names and
    /// repeats dropped, order kept.
    public func groups(_ text: String) -> [String] {
        var out: [String] = []
        for part in text.components(separatedBy: groupsDelimiter) {
            let name = FieldText.trimmed(part)
            if !name.isEmpty && !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// A `groups` value: the names joined by the delimiter; nil for none.
    public func groupsText(_ groups: [String]) -> String? {
        groups.isEmpty ? nil : groups.joined(separator: groupsDelimiter)
    }
}

/// A phone of a mapped row that was kept as given (`PhoneNormalization.keptAsGiven`).
public struct KeptPhone: Sendable, Hashable {
    public var key: String
    public var column: String
    public var text: String
    public var problem: PhoneNumber.Problem
}
