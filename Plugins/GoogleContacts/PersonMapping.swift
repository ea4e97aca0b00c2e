import AlmanacCore
import Foundation

/// A People API Person (JSON) ↔ `Contact`. README "What maps to what" is the table of this file.
enum PersonMapping {
    /// The fields a write replaces (`updatePersonFields`); `clientData` is added when the write
    /// carries an origin stamp, memberships go through `contactGroups.members.modify`.
    static let updateFields = [
        "names", "organizations", "emailAddresses", "phoneNumbers", "addresses", "birthdays", "biographies",
        "userDefined",
    ]

    /// A contact read from `person`: its origin stamp (`clientData`), and the phones kept as
    /// given with why. `groupName` names a membership's group, nil for a system group.
    static func contact(
        _ person: [String: Any], groupName: (String) -> String?, defaultRegion: String?
    ) -> (contact: Contact, origin: String?, keptPhones: [(String, PhoneNumber.Problem)]) {
        func list(_ key: String) -> [[String: Any]] { person[key] as? [[String: Any]] ?? [] }
        func text(_ item: [String: Any]?, _ key: String) -> String? {
            (item?[key] as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        var c = Contact()
        let name = list("names").first
        c.givenName = text(name, "givenName")
        c.familyName = text(name, "familyName")
        // A display name that is only "given family" is what Google shows anyway: none of its own.
        let joined = [c.givenName, c.familyName].compactMap { $0 }.joined(separator: " ")
        if let shown = text(name, "unstructuredName") ?? text(name, "displayName"), shown != joined {
            c.displayName = shown
        }
        let organization = list("organizations").first
        c.organization = text(organization, "name")
        c.jobTitle = text(organization, "title")
        c.emails = list("emailAddresses").compactMap { e in
            text(e, "value").map { ContactEmail($0, kind: EmailKind(rawValue: e["type"] as? String ?? "") ?? .other) }
        }
        var kept: [(String, PhoneNumber.Problem)] = []
        c.phones = list("phoneNumbers").compactMap { p in
            guard let value = text(p, "value") else { return nil }
            let normalized = PhoneNumber.normalize(value, defaultRegion: defaultRegion)
            if let problem = normalized.problem { kept.append((value, problem)) }
            return ContactPhone(normalized.value, kind: PhoneKind(rawValue: p["type"] as? String ?? "") ?? .other)
        }
        if let a = list("addresses").first {
            let address = PostalAddress(
                street: text(a, "streetAddress"), city: text(a, "city"), region: text(a, "region"),
                postalCode: text(a, "postalCode"), country: text(a, "country"))
            c.address = address.isEmpty ? nil : address
        }
        if let date = list("birthdays").first?["date"] as? [String: Any], let year = date["year"] as? Int, year > 0,
            let month = date["month"] as? Int, let day = date["day"] as? Int
        {
            c.birthday = CivilDate(year: year, month: month, day: day)
        }
        c.notes = text(list("biographies").first, "value")
        c.groups = list("memberships").compactMap {
            (($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String)
                .flatMap(groupName)
        }.sorted()
        for field in list("userDefined") {
            if let key = text(field, "key") { c.custom[key] = field["value"] as? String ?? "" }
        }
        let sources = (person["metadata"] as? [String: Any])?["sources"] as? [[String: Any]] ?? []
        if let time = sources.first(where: { $0["type"] as? String == "CONTACT" })?["updateTime"] as? String {
            c.updated = instant(time)
        }
        let origin = list("clientData").first { $0["key"] as? String == GoogleContactsConnector.originKey }?["value"]
        return (c, origin as? String, kept)
    }

    /// An RFC 3339 time with or without fractions of a second.
    static func instant(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// The Person to write for `c`: stamped with `origin` when given; `memberships` (group
    /// resource names) only on create.
    static func person(_ c: Contact, origin: String?, memberships: [String]?) -> [String: Any] {
        var p: [String: Any] = [:]
        var name: [String: Any] = [:]
        name["givenName"] = c.givenName
        name["familyName"] = c.familyName
        name["unstructuredName"] = c.displayName
        if !name.isEmpty { p["names"] = [name] }
        if c.organization != nil || c.jobTitle != nil {
            var o: [String: Any] = [:]
            o["name"] = c.organization
            o["title"] = c.jobTitle
            p["organizations"] = [o]
        }
        if !c.emails.isEmpty { p["emailAddresses"] = c.emails.map { ["value": $0.address, "type": $0.kind.rawValue] } }
        if !c.phones.isEmpty { p["phoneNumbers"] = c.phones.map { ["value": $0.number, "type": $0.kind.rawValue] } }
        if let a = c.address, !a.isEmpty {
            var out: [String: Any] = [:]
            out["streetAddress"] = a.street
            out["city"] = a.city
            out["region"] = a.region
            out["postalCode"] = a.postalCode
            out["country"] = a.country
            p["addresses"] = [out]
        }
        if let b = c.birthday { p["birthdays"] = [["date": ["year": b.year, "month": b.month, "day": b.day]]] }
        if let notes = c.notes { p["biographies"] = [["value": notes, "contentType": "TEXT_PLAIN"]] }
        if !c.custom.isEmpty {
            p["userDefined"] = c.custom.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
        }
        if let origin { p["clientData"] = [["key": GoogleContactsConnector.originKey, "value": origin]] }
        if let memberships {
            p["memberships"] = memberships.map { ["contactGroupMembership": ["contactGroupResourceName": $0]] }
        }
        return p
    }
}
