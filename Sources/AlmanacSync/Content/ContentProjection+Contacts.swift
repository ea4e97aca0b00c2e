import AlmanacCore
import Foundation

/// The projection of a contacts job: the contact an envelope carries (`Event.contact`),
/// restricted to the parts both sides store (`contactShape`, the intersection of the sides'
/// `Connector.contactShape`), so a part one side cannot hold is never a change. Per field:
/// - `name`: the given and family names stored by both, as text; the display name, when both
///   store given and family names too, as text but absent when it equals them joined by one
///   space (a side that derives the display name, as Google does, reads it back as none);
///   otherwise the shown name (`Contact.shownName`: display name, else the names joined).
/// - `organization` and job title, `notes`, the shared address parts, custom values: text as
///   written (trimmed when a side trims text); empty is the same as absent.
/// - `emails`: the first N non-empty addresses (N the smaller capacity), each lower-cased, with
///   its kind where both store it, in the order listed.
/// - `phones`: per shared kind (mobile, home, work, other), the first phones of that kind up to
///   the smaller per-kind capacity, each as stored (connectors store E.164 where `PhoneNumber`
///   could normalise it); the order between kinds is not content.
/// - `groups`: the names sorted, each once; `custom`: sorted by name, empty values left out.
/// - `birthday`: the date.
/// An envelope without a contact has every field empty. A merge writes only these parts into
/// the target's current contact (`Event.copyContact(_:from:shape:)`): the target keeps the rest.
extension ContentProjection {
    /// The normalised value of one contact field of the envelope `event`.
    public func contactValue(_ field: ContactField, of event: Event) -> String {
        guard let c = event.contact else { return "" }
        let shape = contactShape
        switch field {
        case .name:
            var display = ""
            if shape.names.contains(.display) {
                if shape.displayIsOwnPart {
                    display = text(c.displayName)
                    if display == joinedName(c) { display = "" }
                } else {
                    display = text(c.shownName)
                }
            }
            let given = shape.names.contains(.given) ? text(c.givenName) : ""
            let family = shape.names.contains(.family) ? text(c.familyName) : ""
            return [given, family, display].joined(separator: "\u{1f}")
        case .organization:
            return (shape.organization ? text(c.organization) : "") + "\u{1f}"
                + (shape.jobTitle ? text(c.jobTitle) : "")
        case .emails:
            let listed = c.emails.filter { !text($0.address).isEmpty }.prefix(shape.emails)
            return listed.enumerated().map { i, e in
                let a = text(e.address).lowercased()
                return i < shape.emailKinds ? a + "\u{1f}" + e.kind.rawValue : a
            }.joined(separator: "\u{1e}")
        case .phones:
            return PhoneKind.allCases.filter(shape.phoneKinds.contains).flatMap { kind in
                c.phones.filter { $0.kind == kind && !text($0.number).isEmpty }.prefix(shape.phonesPerKind).map {
                    text($0.number) + "\u{1f}" + kind.rawValue
                }
            }.joined(separator: "\u{1e}")
        case .address:
            guard let a = c.address else { return "" }
            let parts = PostalAddress.Part.allCases.map { shape.addressParts.contains($0) ? text(a[$0]) : "" }
            return parts.allSatisfy(\.isEmpty) ? "" : parts.joined(separator: "\u{1f}")
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

    /// `event` as a create sends it: where the job compares the shown name (a side stores a
    /// display name but not both given and family names), a contact without a display name gets
    /// its shown name as one, so a side that stores only the display name shows the name.
    public func creating(_ event: Event) -> Event {
        guard contactShape.names.contains(.display), !contactShape.displayIsOwnPart, var c = event.contact,
            (c.displayName ?? "").isEmpty, let shown = c.shownName
        else { return event }
        c.displayName = shown
        var out = event
        out.contact = c
        return out
    }

    /// The given and family names joined by one space (what a derived display name reads).
    private func joinedName(_ c: Contact) -> String {
        [text(c.givenName), text(c.familyName)].filter { !$0.isEmpty }.joined(separator: " ")
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
            base.copyContact(field, from: held, shape: contactShape)
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
    /// Copies the parts of the contact field `field` that `shape` holds from `source`'s contact
    /// into this envelope's (made when absent), keeping every other part of this one: its
    /// e-mails beyond `shape.emails`, its phones of other kinds or beyond the per-kind capacity,
    /// its other address parts, its job title when `shape` has none. The envelope's title
    /// follows the name.
    public mutating func copyContact(_ field: ContactField, from source: Event, shape: ContactShape = .full) {
        var c = contact ?? Contact()
        let s = source.contact ?? Contact()
        switch field {
        case .name:
            if shape.names.contains(.given) { c.givenName = s.givenName }
            if shape.names.contains(.family) { c.familyName = s.familyName }
            if shape.names.contains(.display) {
                c.displayName = shape.displayIsOwnPart ? s.displayName : s.shownName
            }
        case .organization:
            if shape.organization { c.organization = s.organization }
            if shape.jobTitle { c.jobTitle = s.jobTitle }
        case .emails:
            let held = c.emails.filter { !$0.address.isEmpty }
            let window = s.emails.filter { !$0.address.isEmpty }.prefix(shape.emails).enumerated().map { i, e in
                i < shape.emailKinds || i >= held.count ? e : ContactEmail(e.address, kind: held[i].kind)
            }
            c.emails = window + held.dropFirst(shape.emails)
        case .phones:
            c.phones = PhoneKind.allCases.flatMap { kind in
                let held = c.phones.filter { $0.kind == kind }
                guard shape.phoneKinds.contains(kind) else { return held }
                return Array(s.phones.filter { $0.kind == kind }.prefix(shape.phonesPerKind))
                    + held.dropFirst(shape.phonesPerKind)
            }
        case .address:
            var a = c.address ?? PostalAddress()
            for part in shape.addressParts { a[part] = s.address?[part] }
            c.address = a.isEmpty ? nil : a
        case .birthday: c.birthday = s.birthday
        case .notes: c.notes = s.notes
        case .groups: c.groups = s.groups
        case .custom: c.custom = s.custom
        }
        contact = c
        if field == .name { title = c.shownName }
    }
}
