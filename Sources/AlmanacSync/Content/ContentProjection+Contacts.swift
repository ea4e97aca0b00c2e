import AlmanacCore
import Foundation

/// The projection of a contacts job: the contact an envelope carries (`Event.contact`),
/// restricted to the `ContactField`s both sides store. Per field:
/// - `name` (given, family and display name), `organization` (with the job title), `notes`,
///   address parts, custom values: text as written (trimmed when a side trims text); empty is
///   the same as absent.
/// - `emails`: each address lower-cased, with its kind, in the order listed; empty ones left out.
/// - `phones`: each number as stored (connectors store E.164 where `PhoneNumber` could
///   normalise it), with its kind, in the order listed; empty ones left out.
/// - `groups`: the names sorted, each once; `custom`: sorted by name, empty values left out.
/// - `birthday`: the date.
/// An envelope without a contact has every field empty.
extension ContentProjection {
    /// The normalised value of one contact field of the envelope `event`.
    public func contactValue(_ field: ContactField, of event: Event) -> String {
        guard let c = event.contact else { return "" }
        switch field {
        case .name: return [c.givenName, c.familyName, c.displayName].map(text).joined(separator: "\u{1f}")
        case .organization: return text(c.organization) + "\u{1f}" + text(c.jobTitle)
        case .emails:
            return c.emails.compactMap { e in
                let a = text(e.address)
                return a.isEmpty ? nil : a.lowercased() + "\u{1f}" + e.kind.rawValue
            }.joined(separator: "\u{1e}")
        case .phones:
            return c.phones.compactMap { p in
                let n = text(p.number)
                return n.isEmpty ? nil : n + "\u{1f}" + p.kind.rawValue
            }.joined(separator: "\u{1e}")
        case .address:
            guard let a = c.address, !a.isEmpty else { return "" }
            return [a.street, a.city, a.region, a.postalCode, a.country].map(text).joined(separator: "\u{1f}")
        case .birthday: return c.birthday?.description ?? ""
        case .notes: return text(c.notes)
        case .groups: return Set(c.groups.map(text).filter { !$0.isEmpty }).sorted().joined(separator: "\u{1e}")
        case .custom:
            return c.custom.keys.sorted().compactMap { k in
                let v = text(c.custom[k])
                return v.isEmpty ? nil : k + "=" + v
            }.joined(separator: "\u{1e}")
        }
    }

    /// Appends the contact fields to a hash's bytes, each behind its tag.
    func appendContact(_ contact: Contact?, to bytes: inout [UInt8]) {
        let envelope = Event(start: Contact.envelopeStart, contact: contact)
        for f in contactFields {
            bytes.append(UInt8(truncatingIfNeeded: f.hashValueTag))
            bytes.append(contentsOf: contactValue(f, of: envelope).utf8)
            bytes.append(0x1c)
        }
    }

    /// The projected contact fields on which `a` and `b` differ.
    public func contactDifferences(_ a: Event, _ b: Event) -> [ContactField] {
        contactFields.filter { contactValue($0, of: a) != contactValue($0, of: b) }
    }

    /// Copies into `base` every projected field (event and contact) on which `held` differs from
    /// `merged`: what a side that could not take the merge still holds.
    func keep(_ held: Event, in base: inout Event, over merged: Event) {
        for field in fields where value(field, of: held) != value(field, of: merged) { base.copy(field, from: held) }
        for field in contactFields where contactValue(field, of: held) != contactValue(field, of: merged) {
            base.copyContact(field, from: held)
        }
    }
}

extension ContactField {
    /// A fixed one-byte tag per field for hashing, apart from `EventField`'s (stable: never renumber).
    var hashValueTag: Int {
        switch self {
        case .name: return 0x41
        case .organization: return 0x42
        case .emails: return 0x43
        case .phones: return 0x44
        case .address: return 0x45
        case .birthday: return 0x46
        case .notes: return 0x47
        case .groups: return 0x48
        case .custom: return 0x49
        }
    }
}

extension Event {
    /// Copies the contact field `field` from `source`'s contact into this envelope's (made when
    /// absent); the envelope's title follows the name.
    public mutating func copyContact(_ field: ContactField, from source: Event) {
        var c = contact ?? Contact()
        let s = source.contact ?? Contact()
        switch field {
        case .name:
            c.givenName = s.givenName
            c.familyName = s.familyName
            c.displayName = s.displayName
        case .organization:
            c.organization = s.organization
            c.jobTitle = s.jobTitle
        case .emails: c.emails = s.emails
        case .phones: c.phones = s.phones
        case .address: c.address = s.address
        case .birthday: c.birthday = s.birthday
        case .notes: c.notes = s.notes
        case .groups: c.groups = s.groups
        case .custom: c.custom = s.custom
        }
        contact = c
        if field == .name { title = c.shownName }
    }
}
