import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The hook for the conformance suite's contact checks (`AlmanacTestKit`): an XML document of
/// contacts (`/Clients/Client`, the key in `@id`, one child element per contact field), seeded by
/// hand and inspected with Foundation's XML DOM, and a `ConformanceFixture` over it with the
/// connector as a contacts target (`kind = "contacts"`).
final class XMLContactsStore: TestXMLDocument, @unchecked Sendable {  // used from one test's thread only
    static let settings: [String: ConfigValue] = [
        "path": .string("contacts.xml"), "item": .string("/Clients/Client"),
        "fields": .table(ConfigTable(["external_id": .string("@id")])),
    ]

    init() { super.init(label: "xml-contacts", name: "contacts.xml", root: "Clients") }

    /// The child elements of `contact`, by hand: (name, value) for every value present.
    static func elements(_ c: Contact) -> [(String, String)] {
        var out: [(String, String?)] = [
            ("given_name", c.givenName), ("family_name", c.familyName), ("display_name", c.displayName),
            ("organization", c.organization), ("job_title", c.jobTitle),
        ]
        for (n, e) in c.emails.enumerated() {
            out += [("email_\(n)", e.address), ("email_\(n)_kind", e.kind.rawValue)]
        }
        for p in c.phones { out.append(("phone_\(p.kind.rawValue)", p.number)) }
        out += [
            ("address_street", c.address?.street), ("address_city", c.address?.city),
            ("address_region", c.address?.region), ("address_postal_code", c.address?.postalCode),
            ("address_country", c.address?.country), ("birthday", c.birthday?.description), ("notes", c.notes),
            ("groups", c.groups.isEmpty ? nil : c.groups.joined(separator: ";")),
        ]
        out += c.custom.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return out.compactMap { name, value in value.map { (name, $0) } }
    }

    func seed(_ events: [Event]) throws -> [String] {
        try seed(events) { key, e in
            let children = Self.elements(e.contact ?? Contact()).map { "<\($0)>\(Self.esc($1))</\($0)>" }
            return "<Client id=\"\(key)\">" + children.joined() + "</Client>\n"
        }
    }

    /// Reads the document with Foundation's DOM, independently of the connector: every child
    /// element of a `Client` by name.
    func stored() throws -> [String: Event] {
        let doc = try XMLDocument(contentsOf: url, options: [])
        var out: [String: Event] = [:]
        for node in try doc.nodes(forXPath: "/Clients/Client") {
            guard let element = node as? XMLElement, let key = element.attribute(forName: "id")?.stringValue else {
                continue
            }
            var v: [String: String] = [:]
            for child in element.children ?? [] {
                guard let name = child.name,
                    let text = child.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
                    !text.isEmpty
                else { continue }
                v[name] = text
            }
            var c = Contact(
                givenName: v.removeValue(forKey: "given_name"), familyName: v.removeValue(forKey: "family_name"),
                displayName: v.removeValue(forKey: "display_name"),
                organization: v.removeValue(forKey: "organization"), jobTitle: v.removeValue(forKey: "job_title"),
                birthday: v.removeValue(forKey: "birthday").flatMap { CivilDate(iso: $0) },
                notes: v.removeValue(forKey: "notes"),
                groups: v.removeValue(forKey: "groups")?.split(separator: ";").map(String.init) ?? [])
            for n in 0..<10 {
                let kind = v.removeValue(forKey: "email_\(n)_kind").flatMap(EmailKind.init) ?? .other
                if let a = v.removeValue(forKey: "email_\(n)") { c.emails.append(ContactEmail(a, kind: kind)) }
            }
            for k in PhoneKind.allCases {
                if let p = v.removeValue(forKey: "phone_\(k.rawValue)") { c.phones.append(ContactPhone(p, kind: k)) }
            }
            let address = PostalAddress(
                street: v.removeValue(forKey: "address_street"), city: v.removeValue(forKey: "address_city"),
                region: v.removeValue(forKey: "address_region"),
                postalCode: v.removeValue(forKey: "address_postal_code"),
                country: v.removeValue(forKey: "address_country"))
            if !address.isEmpty { c.address = address }
            v.removeValue(forKey: "updated")
            c.custom = v
            out[key] = c.envelope()
        }
        return out
    }

    /// A fixture over this (empty) store, the connector a contacts target with `default_region`.
    func fixture(region: String? = "US") throws -> ConformanceFixture {
        var ctx = fileConnectorContext(Self.settings, side: .to, dir: scratch.url)
        ctx.kind = .contacts
        ctx.defaultRegion = region
        return ConformanceFixture(
            connector: try XMLModule.make(ctx), window: ConnectorConformance.defaultWindow,
            seed: { try self.seed($0) }, stored: { try self.stored() }, deterministicCreates: true, versions: true)
    }
}

/// The fixture works as the suite will use it: what is seeded, the connector lists as stored, and
/// what the connector writes, the store reads back.
@Suite(.timeLimit(.minutes(10))) struct XMLContactsStoreTests {
    @Test func theFixtureListsWhatItSeedsAndStoresWhatIsWritten() throws {
        let store = XMLContactsStore()
        defer { store.scratch.cleanup() }
        let f = try store.fixture(region: "GB")
        let keys = try f.seed([XMLContactsTests.ann.envelope()])
        let stored = try f.stored()
        #expect(keys.map { stored[$0]?.contact } == [XMLContactsTests.ann])
        let listed = try f.connector.readListing(ReadRequest(window: f.window))
        #expect(listed.problems == [])
        #expect(Dictionary(uniqueKeysWithValues: listed.items.map { ($0.key, $0.event) }) == stored)
        let cara = Contact(
            givenName: "Cara", emails: [ContactEmail("c@x.example", kind: .work)], groups: ["Google Sync"],
            custom: ["chart_no": "1"])
        _ = try f.connector.write([.create(id: "c3", event: cara.envelope())])
        #expect(try f.stored()["c3"]?.contact == cara)
        #expect(try f.stored()["seed-1"]?.contact == XMLContactsTests.ann)
    }
}
