import Foundation

/// What exactly one side stores of a `Contact` and reads back unchanged (`Connector.contactShape`):
/// which name parts, the organization and the job title, how many e-mail addresses (and of how
/// many the kind), which phone kinds and how many phones of each, which address parts, and the
/// birthday, notes, groups and custom fields.
///
/// A contacts job compares and merges only what both of its sides store (`intersection`): a
/// part the narrower side cannot hold is neither a change nor overwritten on the wider side.
/// A database table declares its columns (`given_name`, `email_0`, `phone_mobile`,
/// `address_city`, …); Google Contacts stores everything (`full`).
public struct ContactShape: Hashable, Sendable, Codable {
    /// The parts of a name (`given_name`, `family_name`, `display_name`).
    public enum NamePart: String, Hashable, Sendable, Codable, CaseIterable {
        case given, family, display
    }

    /// A capacity without limit (Google holds any number of e-mails or phones of a kind).
    public static let unlimited = Int.max

    public var names: Set<NamePart>
    public var organization: Bool
    public var jobTitle: Bool
    /// How many e-mail addresses are stored: the first ones of the list (`email_0`…).
    public var emails: Int
    /// Of how many of the first e-mail addresses the kind is stored (`email_N_kind`); the others
    /// read back with kind `other`.
    public var emailKinds: Int
    /// The phone kinds stored (`phone_mobile`, …).
    public var phoneKinds: Set<PhoneKind>
    /// How many phones of each stored kind are kept: the first ones of that kind.
    public var phonesPerKind: Int
    public var addressParts: Set<PostalAddress.Part>
    public var birthday: Bool
    public var notes: Bool
    public var groups: Bool
    public var custom: Bool

    public init(
        names: Set<NamePart> = [], organization: Bool = false, jobTitle: Bool = false, emails: Int = 0,
        emailKinds: Int = 0, phoneKinds: Set<PhoneKind> = [], phonesPerKind: Int = 1,
        addressParts: Set<PostalAddress.Part> = [], birthday: Bool = false, notes: Bool = false,
        groups: Bool = false, custom: Bool = false
    ) {
        self.names = names
        self.organization = organization
        self.jobTitle = jobTitle
        self.emails = max(0, emails)
        self.emailKinds = min(max(0, emailKinds), self.emails)
        self.phoneKinds = phoneKinds
        self.phonesPerKind = phoneKinds.isEmpty ? 0 : max(0, phonesPerKind)
        self.addressParts = addressParts
        self.birthday = birthday
        self.notes = notes
        self.groups = groups
        self.custom = custom
    }

    /// Everything, without limits (Google Contacts, the memory connector by default).
    public static let full = ContactShape(
        names: Set(NamePart.allCases), organization: true, jobTitle: true, emails: unlimited,
        emailKinds: unlimited, phoneKinds: Set(PhoneKind.allCases), phonesPerKind: unlimited,
        addressParts: Set(PostalAddress.Part.allCases), birthday: true, notes: true, groups: true, custom: true)

    /// The whole of each of the coarse `fields`, without limits (a side that stores a field stores
    /// all of it).
    public init(fields: Set<ContactField>) {
        let all = Self.full
        self.init(
            names: fields.contains(.name) ? all.names : [], organization: fields.contains(.organization),
            jobTitle: fields.contains(.organization), emails: fields.contains(.emails) ? all.emails : 0,
            emailKinds: fields.contains(.emails) ? all.emailKinds : 0,
            phoneKinds: fields.contains(.phones) ? all.phoneKinds : [], phonesPerKind: all.phonesPerKind,
            addressParts: fields.contains(.address) ? all.addressParts : [], birthday: fields.contains(.birthday),
            notes: fields.contains(.notes), groups: fields.contains(.groups), custom: fields.contains(.custom))
    }

    /// What both `self` and `other` store.
    public func intersection(_ other: ContactShape) -> ContactShape {
        ContactShape(
            names: names.intersection(other.names), organization: organization && other.organization,
            jobTitle: jobTitle && other.jobTitle, emails: min(emails, other.emails),
            emailKinds: min(emailKinds, other.emailKinds), phoneKinds: phoneKinds.intersection(other.phoneKinds),
            phonesPerKind: min(phonesPerKind, other.phonesPerKind),
            addressParts: addressParts.intersection(other.addressParts), birthday: birthday && other.birthday,
            notes: notes && other.notes, groups: groups && other.groups, custom: custom && other.custom)
    }

    /// The coarse fields of which this shape stores at least a part.
    public var fields: Set<ContactField> {
        var out: Set<ContactField> = []
        if !names.isEmpty { out.insert(.name) }
        if organization || jobTitle { out.insert(.organization) }
        if emails > 0 { out.insert(.emails) }
        if !phoneKinds.isEmpty && phonesPerKind > 0 { out.insert(.phones) }
        if !addressParts.isEmpty { out.insert(.address) }
        if birthday { out.insert(.birthday) }
        if notes { out.insert(.notes) }
        if groups { out.insert(.groups) }
        if custom { out.insert(.custom) }
        return out
    }

    /// Whether the display name is compared as itself: only when the given and family names are
    /// compared too (a display name equal to them joined by one space then counts as absent).
    /// Otherwise it stands for the shown name (`Contact.shownName`).
    public var displayIsOwnPart: Bool { names.isSuperset(of: [.given, .family]) }

    /// `contact` with only the parts this shape stores (what such a side reads back).
    public func restricting(_ contact: Contact) -> Contact {
        var c = contact
        if !names.contains(.given) { c.givenName = nil }
        if !names.contains(.family) { c.familyName = nil }
        if !names.contains(.display) { c.displayName = nil }
        if !organization { c.organization = nil }
        if !jobTitle { c.jobTitle = nil }
        c.emails = Array(c.emails.prefix(emails)).enumerated().map { i, e in
            i < emailKinds ? e : ContactEmail(e.address, kind: .other)
        }
        c.phones = PhoneKind.allCases.filter(phoneKinds.contains).flatMap { kind in
            c.phones.filter { $0.kind == kind }.prefix(phonesPerKind)
        }
        if var a = c.address {
            for part in PostalAddress.Part.allCases where !addressParts.contains(part) { a[part] = nil }
            c.address = a.isEmpty ? nil : a
        }
        if !birthday { c.birthday = nil }
        if !notes { c.notes = nil }
        if !groups { c.groups = [] }
        if !custom { c.custom = [:] }
        return c
    }
}

extension PostalAddress {
    /// The parts of an address (`address_street|city|region|postal_code|country`).
    public enum Part: String, Hashable, Sendable, Codable, CaseIterable {
        case street, city, region
        case postalCode = "postal_code"
        case country
    }

    public subscript(part: Part) -> String? {
        get {
            switch part {
            case .street: return street
            case .city: return city
            case .region: return region
            case .postalCode: return postalCode
            case .country: return country
            }
        }
        set {
            switch part {
            case .street: street = newValue
            case .city: city = newValue
            case .region: region = newValue
            case .postalCode: postalCode = newValue
            case .country: country = newValue
            }
        }
    }
}
