import AlmanacCore
import Foundation

/// `Contact` as the protocol's JSON (docs/connector-protocol/contact.schema.json), the item of a
/// job of `kind = "contacts"`: snake_case names, absent members for nil and empty values, e-mails
/// and phones as `{"address"|"number": …, "kind": …}`, `birthday` as `YYYY-MM-DD`, `updated` as
/// RFC 3339, the origin stamp as `origin`.
public enum ContactJSON {
    public static func json(_ e: Event) -> JSONValue {
        let c = e.contact ?? Contact()
        var o = JSONObject()
        func put(_ key: String, _ value: String?) { if let value { o[key] = .string(value) } }
        put("given_name", c.givenName)
        put("family_name", c.familyName)
        put("display_name", c.displayName)
        put("organization", c.organization)
        put("job_title", c.jobTitle)
        if !c.emails.isEmpty {
            o["emails"] = .array(
                c.emails.map {
                    .object(JSONObject(["address": .string($0.address), "kind": .string($0.kind.rawValue)]))
                })
        }
        if !c.phones.isEmpty {
            o["phones"] = .array(
                c.phones.map { .object(JSONObject(["number": .string($0.number), "kind": .string($0.kind.rawValue)])) })
        }
        if let a = c.address, !a.isEmpty {
            var ao = JSONObject()
            for part in PostalAddress.Part.allCases { if let v = a[part] { ao[part.rawValue] = .string(v) } }
            o["address"] = .object(ao)
        }
        put("birthday", c.birthday?.description)
        put("notes", c.notes)
        if !c.groups.isEmpty { o["groups"] = .array(c.groups.map { .string($0) }) }
        if !c.custom.isEmpty {
            var co = JSONObject()
            for k in c.custom.keys.sorted() { co[k] = .string(c.custom[k]!) }
            o["custom"] = .object(co)
        }
        put("updated", c.updated.map(RFC3339.string))
        put("origin", e.origin)
        return .object(o)
    }

    /// The contact of `value`, as the item the engine moves (`Contact.envelope`). Throws
    /// `EventJSON.Invalid` naming the field at fault.
    public static func event(_ value: JSONValue) throws(EventJSON.Invalid) -> Event {
        guard let o = value.object else { throw EventJSON.Invalid(field: "contact", reason: "is not an object") }
        var c = Contact()
        c.givenName = try text(o, "given_name")
        c.familyName = try text(o, "family_name")
        c.displayName = try text(o, "display_name")
        c.organization = try text(o, "organization")
        c.jobTitle = try text(o, "job_title")
        for e in try list(o, "emails") {
            guard let address = e.string("address"), let kind = EmailKind(rawValue: e.string("kind") ?? "other")
            else { throw EventJSON.Invalid(field: "emails", reason: "needs an address and a kind home, work or other") }
            c.emails.append(ContactEmail(address, kind: kind))
        }
        for p in try list(o, "phones") {
            guard let number = p.string("number"), let kind = PhoneKind(rawValue: p.string("kind") ?? "other") else {
                throw EventJSON.Invalid(
                    field: "phones", reason: "needs a number and a kind mobile, home, work or other")
            }
            c.phones.append(ContactPhone(number, kind: kind))
        }
        if let a = o["address"], !a.isNull {
            guard let ao = a.object else { throw EventJSON.Invalid(field: "address", reason: "is not an object") }
            var address = PostalAddress()
            for part in PostalAddress.Part.allCases { address[part] = try text(ao, part.rawValue) }
            c.address = address.isEmpty ? nil : address
        }
        if let b = try text(o, "birthday") {
            guard let date = CivilDate(iso: b) else {
                throw EventJSON.Invalid(field: "birthday", reason: "is not YYYY-MM-DD: \"\(b)\"")
            }
            c.birthday = date
        }
        c.notes = try text(o, "notes")
        if let g = o["groups"], !g.isNull {
            guard let names = g.array?.compactMap(\.string), names.count == g.array?.count else {
                throw EventJSON.Invalid(field: "groups", reason: "is not an array of strings")
            }
            c.groups = names
        }
        if let cv = o["custom"], !cv.isNull {
            guard let co = cv.object else { throw EventJSON.Invalid(field: "custom", reason: "is not an object") }
            for (k, v) in zip(co.keys, co.values) {
                guard let s = v.string else { throw EventJSON.Invalid(field: "custom", reason: "\(k) is not a string") }
                c.custom[k] = s
            }
        }
        if let u = try text(o, "updated") {
            guard let d = RFC3339.date(u) else {
                throw EventJSON.Invalid(field: "updated", reason: "is not an RFC 3339 time: \"\(u)\"")
            }
            c.updated = d
        }
        return c.envelope(origin: try text(o, "origin"))
    }

    private static func text(_ o: JSONObject, _ key: String) throws(EventJSON.Invalid) -> String? {
        guard let v = o[key] else { return nil }
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: throw EventJSON.Invalid(field: key, reason: "is not a string")
        }
    }

    private static func list(_ o: JSONObject, _ key: String) throws(EventJSON.Invalid) -> [JSONObject] {
        guard let v = o[key], !v.isNull else { return [] }
        guard let a = v.array, a.allSatisfy({ $0.object != nil }) else {
            throw EventJSON.Invalid(field: key, reason: "is not an array of objects")
        }
        return a.compactMap(\.object)
    }
}

extension ItemKind {
    /// The member of an item, change or conflict that holds the item (`event`, `contact`).
    var member: String { self == .contacts ? "contact" : "event" }

    /// An item of this kind as the protocol's JSON (`EventJSON`, `ContactJSON`).
    func json(_ item: Event) -> JSONValue { self == .contacts ? ContactJSON.json(item) : EventJSON.json(item) }

    /// The item of this kind `value` holds. Throws `EventJSON.Invalid` naming the field at fault.
    func item(_ value: JSONValue) throws(EventJSON.Invalid) -> Event {
        self == .contacts ? try ContactJSON.event(value) : try EventJSON.event(value)
    }
}
