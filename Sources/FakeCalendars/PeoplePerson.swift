import AlmanacCore
import Foundation

/// The Person resource of the People fake: which fields a contact has, how field masks are read,
/// what a request body may carry, and how a stored contact is rendered (output-only fields filled
/// in as the People API does: field `metadata`, `displayName`, `formattedType`, `canonicalForm`).
enum PeoplePerson {
    /// Fields a contact stores and `updatePersonFields` may name.
    static let contactFields: Set<String> = [
        "addresses", "biographies", "birthdays", "calendarUrls", "clientData", "emailAddresses", "events",
        "externalIds", "genders", "imClients", "interests", "locales", "locations", "memberships",
        "miscKeywords", "names", "nicknames", "occupations", "organizations", "phoneNumbers", "relations",
        "sipAddresses", "urls", "userDefined",
    ]
    /// Fields `personFields` may name (contact fields and read-only ones).
    static let readableFields = contactFields.union(["ageRanges", "coverPhotos", "metadata", "photos", "skills"])
    /// Fields a contact source holds at most one of.
    static let singletons = ["biographies", "birthdays", "genders", "names"]
    /// Output-only keys dropped from what a client sends, per field (all fields: `metadata`,
    /// `formattedType`).
    static let outputOnly: [String: Set<String>] = [
        "names": ["displayName", "displayNameLastFirst"], "phoneNumbers": ["canonicalForm"],
        "memberships": ["domainMembership"],
    ]

    /// Reads a field mask (`names,emailAddresses`; `person.names` as the deprecated request mask
    /// writes it). Returns the paths, or the first path that is not one of `valid`.
    static func mask(_ text: String?, valid: Set<String>) -> Result<[String], MaskError> {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return .failure(.missing) }
        var paths: [String] = []
        for raw in text.split(separator: ",") {
            var p = raw.trimmingCharacters(in: .whitespaces)
            if p.hasPrefix("person.") { p = String(p.dropFirst(7)) }
            guard valid.contains(p) else { return .failure(.invalid(p)) }
            if !paths.contains(p) { paths.append(p) }
        }
        return .success(paths)
    }

    enum MaskError: Error {
        case missing
        case invalid(String)
    }

    /// The contact fields of a request body, without output-only keys; or a message saying why
    /// the body cannot be stored (a singleton given twice, a membership without a group).
    static func fields(from body: [String: Any], only: [String]? = nil) -> Result<[String: Any], Message> {
        var out: [String: Any] = [:]
        for key in only ?? Array(contactFields) where contactFields.contains(key) {
            guard let value = body[key], !(value is NSNull) else { continue }
            guard let list = value as? [Any] else { return .failure(Message("Invalid value at 'person.\(key)'.")) }
            var items: [[String: Any]] = []
            for element in list {
                guard var item = element as? [String: Any] else {
                    return .failure(Message("Invalid value at 'person.\(key)'."))
                }
                item["metadata"] = nil
                item["formattedType"] = nil
                for k in outputOnly[key] ?? [] { item[k] = nil }
                items.append(item)
            }
            if singletons.contains(key), items.count > 1 {
                return .failure(Message("Only one field is allowed for a singleton field: person.\(key)."))
            }
            if key == "memberships" {
                for (i, m) in items.enumerated() {
                    guard var g = m["contactGroupMembership"] as? [String: Any] else {
                        return .failure(Message("Memberships must specify a contact group membership."))
                    }
                    let name =
                        g["contactGroupResourceName"] as? String
                        ?? (g["contactGroupId"] as? String).map {
                            "contactGroups/\($0)"
                        }
                    guard let name, name.hasPrefix("contactGroups/") else {
                        return .failure(Message("Memberships must specify a contact group resource name."))
                    }
                    g["contactGroupResourceName"] = name
                    g["contactGroupId"] = String(name.dropFirst("contactGroups/".count))
                    items[i] = ["contactGroupMembership": g]
                }
            }
            if !items.isEmpty { out[key] = items }
        }
        return .success(out)
    }

    struct Message: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// The etag a client sent with a person: `etag`, or the CONTACT source's `metadata.sources[].etag`.
    static func sentEtag(_ body: [String: Any]) -> String? {
        if let e = body["etag"] as? String, !e.isEmpty { return e }
        let sources = (body["metadata"] as? [String: Any])?["sources"] as? [[String: Any]] ?? []
        return sources.first { ($0["type"] as? String ?? "CONTACT") == "CONTACT" }?["etag"] as? String
    }

    /// Renders a stored contact with the fields of `mask` (nil = every field). A tombstone is
    /// rendered as `resourceName`, `etag` and `metadata` with `deleted: true`.
    static func render(_ rec: PersonRecord, mask: [String]?, region: String) -> [String: Any] {
        var out: [String: Any] = ["resourceName": rec.resourceName, "etag": rec.etag]
        let source: [String: Any] = ["type": "CONTACT", "id": rec.sourceID]
        if rec.deleted || mask?.contains("metadata") ?? true {
            var metadata: [String: Any] = [
                "sources": [
                    ["type": "CONTACT", "id": rec.sourceID, "etag": rec.sourceEtag, "updateTime": rec.updateTime]
                ],
                "objectType": "PERSON",
            ]
            if rec.deleted { metadata["deleted"] = true }
            out["metadata"] = metadata
        }
        if rec.deleted { return out }
        for key in mask ?? Array(contactFields) {
            guard let items = rec.fields[key] as? [[String: Any]], !items.isEmpty else { continue }
            out[key] = items.enumerated().map { i, item -> [String: Any] in
                var o = item
                o["metadata"] = ["primary": i == 0, "sourcePrimary": i == 0, "source": source]
                decorate(&o, field: key, region: region)
                return o
            }
        }
        return out
    }

    /// Fills the output-only values of one item.
    static func decorate(_ item: inout [String: Any], field: String, region: String) {
        if let type = item["type"] as? String, !type.isEmpty { item["formattedType"] = formatted(type) }
        switch field {
        case "names":
            func s(_ k: String) -> String? { (item[k] as? String).flatMap { $0.isEmpty ? nil : $0 } }
            let given = [s("honorificPrefix"), s("givenName"), s("middleName")].compactMap { $0 }
            let display = (given + [s("familyName"), s("honorificSuffix")].compactMap { $0 }).joined(separator: " ")
            let lastFirst = [s("familyName"), given.isEmpty ? nil : given.joined(separator: " ")].compactMap { $0 }
            item["displayName"] = display.isEmpty ? (s("unstructuredName") ?? "") : display
            item["displayNameLastFirst"] = lastFirst.isEmpty ? item["displayName"] : lastFirst.joined(separator: ", ")
            if s("unstructuredName") == nil { item["unstructuredName"] = item["displayName"] }
        case "phoneNumbers":
            if let value = item["value"] as? String,
                let n = PhoneNumber.normalize(value, defaultRegion: region).number
            {
                item["canonicalForm"] = n.e164
            }
        case "addresses":
            if item["formattedValue"] == nil {
                let parts = ["streetAddress", "extendedAddress", "poBox", "city", "region", "postalCode", "country"]
                let value = parts.compactMap { item[$0] as? String }.filter { !$0.isEmpty }.joined(separator: "\n")
                if !value.isEmpty { item["formattedValue"] = value }
            }
        default: break
        }
    }

    /// `workMobile` → `Work Mobile`, `home` → `Home`.
    static func formatted(_ type: String) -> String {
        var out = ""
        for (i, c) in type.enumerated() {
            if i == 0 {
                out += c.uppercased()
            } else if c.isUppercase {
                out += " " + String(c)
            } else {
                out.append(c)
            }
        }
        return out
    }
}
