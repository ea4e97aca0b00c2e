import AlmanacCore
import Foundation

extension RowRenderer {
    /// The values of `event` for a job's kind: its contact's with `contacts` set, else the event's.
    public func values(key: String, event: Event, contacts: ContactRules?) -> [StandardField: String] {
        guard let rules = contacts, let contact = event.contact else { return values(key: key, event: event) }
        return values(key: key, contact: contact, rules: rules)
    }

    /// `columns(for:)`, or `contactColumns(for:)` for contacts.
    public static func columns(for rows: some Sequence<[StandardField: String]>, contacts: Bool) -> [StandardField] {
        contacts ? contactColumns(for: rows) : columns(for: rows)
    }

    /// The columns a new file starts with: the scalar standard fields, or for contacts
    /// `external_id`, the fixed contact columns and `updated`.
    public static func baseColumns(contacts: Bool) -> [StandardField] {
        contacts ? contactColumns(for: [] as [[StandardField: String]]) : StandardField.scalars
    }

    /// Whether an update writes `field` even when the item lacks it (emptying it), on a side with
    /// `rules` (nil: events): every non-custom field; for contacts, the contact columns (those
    /// within the side's `ContactRules.shape`: one outside it keeps its value, as a custom one does).
    public static func isOverwritten(_ field: StandardField, rules: ContactRules?) -> Bool {
        guard let rules else { return !field.isCustom }
        guard isContactStandard(field) else { return false }
        guard let shape = rules.shape, case .custom(let name) = field,
            let column = ContactColumn(name: name.lowercased())
        else { return true }
        return column.isStored(in: shape)
    }

    /// A contact as values by field, for writing files: `external_id`, the `ContactColumn`s as
    /// `.custom(name)` under their standard names, `updated`, and the custom fields. What it
    /// writes, `RowMapper` with the same `rules` reads back to the same contact (phones as
    /// stored: E.164, or the text as given).
    public func values(key: String, contact: Contact, rules: ContactRules) -> [StandardField: String] {
        var out: [StandardField: String] = [.externalID: key]
        func put(_ column: ContactColumn, _ value: String?) {
            guard rules.shape.map(column.isStored) ?? true else { return }
            if let value, !value.isEmpty { out[.custom(column.name)] = value }
        }
        put(.givenName, contact.givenName)
        put(.familyName, contact.familyName)
        put(.displayName, contact.displayName)
        put(.organization, contact.organization)
        put(.jobTitle, contact.jobTitle)
        for (n, email) in contact.emails.prefix(ContactColumn.maxEmails).enumerated() {
            put(.email(n), email.address)
            put(.emailKind(n), email.kind.rawValue)
        }
        for phone in contact.phones where out[.custom(ContactColumn.phone(phone.kind).name)] == nil {
            put(.phone(phone.kind), phone.number)
        }
        if let a = contact.address {
            put(.address(.street), a.street)
            put(.address(.city), a.city)
            put(.address(.region), a.region)
            put(.address(.postalCode), a.postalCode)
            put(.address(.country), a.country)
        }
        put(.birthday, contact.birthday?.description)
        put(.notes, contact.notes)
        put(.groups, rules.groupsText(contact.groups))
        if let u = contact.updated {
            out[.updated] = (formats[.updated] ?? .iso8601).format(.instant(u, timeZone: nil), zone: zone)
        }
        for (k, v) in contact.custom where ContactColumn(name: k.lowercased()) == nil && rules.shape?.custom ?? true {
            out[.custom(k)] = v
        }
        return out
    }

    /// A stable column order for contacts `rows`: `external_id`, the fixed contact columns, the
    /// emails in use (`email_N`, `email_N_kind`), `updated`, then custom fields by name.
    public static func contactColumns(for rows: some Sequence<[StandardField: String]>) -> [StandardField] {
        var emails = 0
        var custom = Set<String>()
        for row in rows {
            for field in row.keys {
                guard case .custom(let name) = field else { continue }
                switch ContactColumn(name: name.lowercased()) {
                case .email(let n)?, .emailKind(let n)?: emails = max(emails, n + 1)
                case nil: custom.insert(name)
                default: break
                }
            }
        }
        var out: [StandardField] = [.externalID]
        out += ContactColumn.fixed.map { .custom($0.name) }
        for n in 0..<emails { out += [.custom(ContactColumn.email(n).name), .custom(ContactColumn.emailKind(n).name)] }
        out.append(.updated)
        out += custom.sorted().map { StandardField.custom($0) }
        return out
    }

    /// Whether `field` is a standard field of a contacts row: written, or emptied, by every update
    /// (other custom fields keep their values when the contact lacks them).
    public static func isContactStandard(_ field: StandardField) -> Bool {
        switch field {
        case .externalID, .updated: return true
        case .custom(let name): return ContactColumn(name: name.lowercased()) != nil
        default: return false
        }
    }
}
