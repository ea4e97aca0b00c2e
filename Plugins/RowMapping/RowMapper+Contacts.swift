import AlmanacCore
import Foundation

extension RowMapper {
    /// Maps a contacts row (`contacts` set), for every source, in one walk of the row:
    /// - `external_id` is required; `updated` is read as for events;
    /// - the `ContactColumn`s make the contact: empty values are absent; `email_N` (gaps closed
    ///   up, order kept) with `email_N_kind` (`home`, `work`, `other`; default other); phones
    ///   normalised to E.164 with `ContactRules.defaultRegion` — one that cannot be is kept as
    ///   given and reported (`ContactRules.reportKeptPhone`), never dropped; `birthday` a DATE or
    ///   `YYYY-MM-DD`; `groups` split at the delimiter;
    /// - every other column, event standard names among them, is a custom field.
    ///
    /// A row that cannot be mapped (no key, an unreadable value, a bad birthday, email kind or
    /// `updated`) is an `ItemProblem` worded as the source's event problems are; the first
    /// failing column (the key's first) is reported.
    func mapContact<Row: RowCells>(
        _ fields: [StandardField], _ row: Row, rules: ContactRules, locator: () -> String
    ) -> Outcome {
        let count = min(fields.count, row.count)
        let lastPresentWins = dialect.lastPresentWins
        var contact = Contact()
        var key: String?
        var keyFailure: RowFailure?
        var failure: RowFailure?
        var emails: [Int: (address: String?, kind: EmailKind?)] = [:]
        var address = PostalAddress()
        var kept: [(column: String, text: String, problem: PhoneNumber.Problem)] = []
        func fail(_ i: Int, _ field: StandardField, _ reason: RowFailure.Reason) {
            if failure == nil { failure = RowFailure(stage: .custom, field: field, column: i, reason: reason) }
        }
        for i in 0..<count {
            let field = fields[i]
            let cell = row.cell(i)
            if case .externalID = field {
                guard key == nil || (lastPresentWins && cell.hasText) else { continue }
                if let reason = cell.unreadable {
                    keyFailure = RowFailure(stage: .key, field: .externalID, column: i, reason: reason)
                } else if let k = dialect.trimsKey ? cell.trimmedString : cell.string, !k.isEmpty {
                    key = k
                    keyFailure = nil
                }
                continue
            }
            if let reason = cell.unreadable {
                fail(i, field, reason)
                continue
            }
            if case .updated = field {
                do {
                    if let p = try time(cell, updatedFormat) {
                        contact.updated = EventRules.instant(p, zone: updatedZone)
                    }
                } catch {
                    failure = failure ?? RowFailure(stage: .updated, field: .updated, column: i, reason: error)
                }
                continue
            }
            let name = field.name
            guard let column = ContactColumn(name: name.lowercased()) else {
                if let text = cell.customText { contact.custom.setCustom(text, for: name) }
                continue
            }
            if case .birthday = column {
                switch cell {
                case .date(let d): contact.birthday = d
                case .timestamp(let t): contact.birthday = t.date
                default:
                    guard let text = cell.trimmedString, !text.isEmpty else { break }
                    if let d = Self.birthday(text) {
                        contact.birthday = d
                    } else {
                        fail(i, field, .invalid("\"\(text)\" is not a date (YYYY-MM-DD)"))
                    }
                }
                continue
            }
            guard let text = cell.customText, !text.isEmpty else { continue }
            switch column {
            case .givenName: contact.givenName = text
            case .familyName: contact.familyName = text
            case .displayName: contact.displayName = text
            case .organization: contact.organization = text
            case .jobTitle: contact.jobTitle = text
            case .notes: contact.notes = text
            case .groups: contact.groups = rules.groups(text)
            case .email(let n): emails[n, default: (nil, nil)].address = text
            case .emailKind(let n):
                let word = FieldText.trimmed(text).lowercased()
                guard let kind = EmailKind(rawValue: word) else {
                    fail(i, field, .invalid("\"\(text)\" is not an email kind (home, work or other)"))
                    continue
                }
                emails[n, default: (nil, nil)].kind = kind
            case .phone(let kind):
                if FieldText.trimmed(text).isEmpty { continue }
                let normalized = PhoneNumber.normalize(text, defaultRegion: rules.defaultRegion)
                contact.phones.removeAll { $0.kind == kind }
                contact.phones.append(ContactPhone(normalized.value, kind: kind))
                if let problem = normalized.problem { kept.append((name, text, problem)) }
            case .address(let part):
                switch part {
                case .street: address.street = text
                case .city: address.city = text
                case .region: address.region = text
                case .postalCode: address.postalCode = text
                case .country: address.country = text
                }
            case .birthday: continue
            }
        }
        if key == nil && keyFailure == nil {
            keyFailure = RowFailure(stage: .key, field: .externalID, column: -1, reason: .missing)
        }
        if let f = keyFailure ?? failure { return .problem(problem(f, key: key, locator: locator)) }
        guard let key else { preconditionFailure("a row without a key has failed") }
        for n in emails.keys.sorted() {
            guard let a = emails[n]?.address else { continue }
            contact.emails.append(ContactEmail(a, kind: emails[n]?.kind ?? .other))
        }
        contact.phones.sort { Self.phoneOrder($0.kind) < Self.phoneOrder($1.kind) }
        if !address.isEmpty { contact.address = address }
        if let report = rules.reportKeptPhone {
            for k in kept { report(KeptPhone(key: key, column: k.column, text: k.text, problem: k.problem)) }
        }
        return .item(key: key, event: contact.envelope())
    }

    /// A birthday written as `YYYY-MM-DD`, or as a timestamp's text at midnight
    /// (`YYYY-MM-DD 00:00:00`, how some drivers return a DATE bound as a timestamp).
    static func birthday(_ text: String) -> CivilDate? {
        if text.utf8.count == 10 { return CivilDate(iso: text) }
        guard text.utf8.count > 10, case .naive(let d, secondsOfDay: 0, nanoseconds: 0)? = TemporalText(text)?.parsed
        else { return nil }
        return d
    }

    /// Phones in `PhoneKind` order: the order they are read in, whatever the columns' order.
    static func phoneOrder(_ kind: PhoneKind) -> Int { PhoneKind.allCases.firstIndex(of: kind) ?? 0 }
}
