import Foundation

/// What a job syncs (`kind` in a job table): appointments or contacts. A connector declares the
/// kinds it can carry (`Connector.kinds`); a job whose two sides cannot both carry its kind is
/// rejected by `almanac check`.
public enum ItemKind: String, Hashable, Sendable, Codable, CaseIterable {
    case events, contacts
}

/// The kind of an e-mail address (`email_N_kind`).
public enum EmailKind: String, Hashable, Sendable, Codable, CaseIterable {
    case home, work, other
}

public struct ContactEmail: Hashable, Sendable, Codable {
    public var address: String
    public var kind: EmailKind

    public init(_ address: String, kind: EmailKind = .other) {
        self.address = address
        self.kind = kind
    }
}

/// A phone as the contact carries it: E.164 when it could be normalised (`PhoneNumber`), else
/// the text as given (never dropped).
public struct ContactPhone: Hashable, Sendable, Codable {
    public var number: String
    public var kind: PhoneKind

    public init(_ number: String, kind: PhoneKind = .other) {
        self.number = number
        self.kind = kind
    }
}

/// One postal address (`address_*` columns).
public struct PostalAddress: Hashable, Sendable, Codable {
    public var street: String?
    public var city: String?
    public var region: String?
    public var postalCode: String?
    public var country: String?

    public init(
        street: String? = nil, city: String? = nil, region: String? = nil, postalCode: String? = nil,
        country: String? = nil
    ) {
        self.street = street
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }

    /// True when every part is absent or empty.
    public var isEmpty: Bool {
        [street, city, region, postalCode, country].allSatisfy { ($0 ?? "").isEmpty }
    }
}

/// The canonical client record every contacts connector reads into and writes from.
///
/// Like `Event`, a connector fills what its side can represent and leaves the rest empty; the
/// engine compares only the fields both sides of a job carry (`ContactField`). The item's
/// identity on its side (an `external_id`, a People API `resourceName`) is `SourceItem.key`;
/// the origin stamp travels in `Event.origin` of the envelope (`Event.contact`).
public struct Contact: Hashable, Sendable, Codable {
    public var givenName: String?
    public var familyName: String?
    public var displayName: String?
    public var organization: String?
    public var jobTitle: String?
    public var emails: [ContactEmail]
    public var phones: [ContactPhone]
    public var address: PostalAddress?
    public var birthday: CivilDate?
    public var notes: String?
    /// Group memberships by group name (`Google Sync`), in no particular order.
    public var groups: [String]
    /// Columns that are not standard fields (`balance` → `custom["balance"]`).
    public var custom: [String: String]
    public var updated: Date?

    @inlinable
    public init(
        givenName: String? = nil, familyName: String? = nil, displayName: String? = nil,
        organization: String? = nil, jobTitle: String? = nil, emails: [ContactEmail] = [],
        phones: [ContactPhone] = [], address: PostalAddress? = nil, birthday: CivilDate? = nil,
        notes: String? = nil, groups: [String] = [], custom: [String: String] = [:], updated: Date? = nil
    ) {
        self.givenName = givenName
        self.familyName = familyName
        self.displayName = displayName
        self.organization = organization
        self.jobTitle = jobTitle
        self.emails = emails
        self.phones = phones
        self.address = address
        self.birthday = birthday
        self.notes = notes
        self.groups = groups
        self.custom = custom
        self.updated = updated
    }

    /// The name to show: `displayName`, else given and family names joined, else nil.
    public var shownName: String? {
        if let d = displayName, !d.isEmpty { return d }
        let joined = [givenName, familyName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }

    /// The start every contact envelope carries: windows do not apply to contacts.
    public static let envelopeStart = EventTime.allDay(CivilDate(year: 1970, month: 1, day: 1))

    /// This contact as the item the engine moves (`Event.contact`), stamped with `origin`.
    public func envelope(origin: String? = nil) -> Event {
        Event(title: shownName, start: Self.envelopeStart, updated: updated, origin: origin, contact: self)
    }
}

/// The fields of `Contact` by name, for capability declarations and content hashing.
public enum ContactField: String, Hashable, Sendable, Codable, CaseIterable {
    case name, organization, emails, phones, address, birthday, notes, groups, custom
}
