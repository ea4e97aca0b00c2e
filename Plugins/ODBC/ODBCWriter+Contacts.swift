import AlmanacCore
import Foundation
import RowMapping

/// The parameters of a contacts job's `insert`/`update`/`delete` statements (README "Contacts"):
/// `:external_id`, the `ContactColumn` names (`:given_name`, `:family_name`, `:display_name`,
/// `:organization`, `:job_title`, `:email_N`, `:email_N_kind`, `:phone_mobile|home|work|other`,
/// `:address_street|city|region|postal_code|country`, `:birthday` as a DATE, `:notes`, `:groups`
/// joined by `groups_delimiter`), `:updated` as a TIMESTAMP, and custom fields as `:custom.NAME`
/// or bare `:NAME`. A value the contact lacks is bound as NULL.
extension ODBCConnector {
    /// The bound value of the named parameter `name` (not `external_id`) for `contact`.
    func contactParameter(_ name: String, contact c: Contact, rules: ContactRules) -> ODBCParameter {
        let lower = name.lowercased()
        if lower == "updated" { return .timestamp(c.updated.map(resolver.wall)) }
        guard let column = ContactColumn(name: lower) else {
            let custom = name.hasPrefix("custom.") ? String(name.dropFirst(7)) : name
            return .text(c.custom[custom])
        }
        switch column {
        case .givenName: return .text(c.givenName)
        case .familyName: return .text(c.familyName)
        case .displayName: return .text(c.displayName)
        case .organization: return .text(c.organization)
        case .jobTitle: return .text(c.jobTitle)
        case .email(let n): return .text(n < c.emails.count ? c.emails[n].address : nil)
        case .emailKind(let n): return .text(n < c.emails.count ? c.emails[n].kind.rawValue : nil)
        case .phone(let kind): return .text(c.phones.first { $0.kind == kind }?.number)
        case .address(let part):
            switch part {
            case .street: return .text(c.address?.street)
            case .city: return .text(c.address?.city)
            case .region: return .text(c.address?.region)
            case .postalCode: return .text(c.address?.postalCode)
            case .country: return .text(c.address?.country)
            }
        case .birthday: return .date(c.birthday)
        case .notes: return .text(c.notes)
        case .groups: return .text(rules.groupsText(c.groups))
        }
    }
}
