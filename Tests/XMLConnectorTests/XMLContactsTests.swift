import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

/// Contacts in XML documents (`kind = "contacts"`, README "Contacts"): the contact fields read
/// from the item's children, and the whole document rewritten for a run's changes, reading back
/// the same. The conformance suite's contact checks (`AlmanacTestKit`) are the hook for the
/// whole contract.
@Suite(.timeLimit(.minutes(10))) struct XMLContactsTests {
    static func connector(_ s: Scratch, region: String? = "GB") throws -> XMLConnector {
        let settings: [String: ConfigValue] = [
            "path": .string("clients.xml"), "item": .string("/Clients/Client"),
            "fields": .table(
                ConfigTable([
                    "external_id": .string("@id"), "given_name": .string("Name/Given"),
                    "family_name": .string("Name/Family"), "groups": .string("Groups"),
                ])),
        ]
        var ctx = fileConnectorContext(settings, side: .to, dir: s.url)
        ctx.kind = .contacts
        ctx.defaultRegion = region
        return XMLConnector(
            settings: try XMLSettings(ctx), side: .to, capabilities: [.read, .write, .delete], logger: ctx.logger)
    }

    static let ann = Contact(
        givenName: "Ann <A&B>", familyName: "Lee", organization: "Clinic",
        emails: [ContactEmail("ann@example.com", kind: .home)],
        phones: [ContactPhone("+442079460958", kind: .work), ContactPhone("ring twice", kind: .other)],
        address: PostalAddress(city: "London", country: "GB"), birthday: CivilDate(year: 1990, month: 1, day: 2),
        notes: "n", groups: ["Google Sync", "VIP"], custom: ["chart_no": "77"])

    @Test func readsAHandWrittenDocument() throws {
        let s = Scratch(label: "xml-contacts")
        defer { s.cleanup() }
        s.file(
            "clients.xml",
            """
            <Clients>
              <Client id="c1"><Name><Given>Ann</Given><Family>Lee</Family></Name><Groups>Google Sync; VIP</Groups>
                <phone_mobile>07700 900123</phone_mobile><phone_home>+1 (415) 555-2671</phone_home>
                <email_0>ann@example.com</email_0><email_0_kind>work</email_0_kind><birthday>1980-05-17</birthday>
                <chart_no>77</chart_no></Client>
              <Client id="c2"><Name><Given>Bob</Given></Name><phone_mobile>0800 FLOWERS</phone_mobile></Client>
            </Clients>
            """)
        // Windows do not apply to contacts: a window of 2026 lists them all.
        let (page, _) = try readAll(try Self.connector(s), window: ConnectorConformance.defaultWindow)
        #expect(page.problems == [])
        #expect(
            page.items.map(\.event.contact)
                == [
                    Contact(
                        givenName: "Ann", familyName: "Lee", emails: [ContactEmail("ann@example.com", kind: .work)],
                        phones: [
                            ContactPhone("+447700900123", kind: .mobile), ContactPhone("+14155552671", kind: .home),
                        ],
                        birthday: CivilDate(year: 1980, month: 5, day: 17), groups: ["Google Sync", "VIP"],
                        custom: ["chart_no": "77"]),
                    Contact(givenName: "Bob", phones: [ContactPhone("0800 FLOWERS", kind: .mobile)]),
                ])
        // The version covers the contact rules: another default region reads the phones anew.
        let us = try readAll(try Self.connector(s, region: "US")).0.items
        #expect(us[0].event.contact?.phones.first == ContactPhone("07700 900123", kind: .mobile))
        #expect(us[0].version != page.items[0].version)
        #expect(us[1].version != page.items[1].version)
    }

    @Test func writesADocumentThatReadsBackTheSame() throws {
        let s = Scratch(label: "xml-contacts")
        defer { s.cleanup() }
        let c = try Self.connector(s)
        #expect(c.kinds == [.events, .contacts])
        let outcomes = try c.write([.create(id: "c1", event: Self.ann.envelope())])
        let text = try String(contentsOf: s.url.appendingPathComponent("clients.xml"), encoding: .utf8)
        #expect(text.contains("<Client id=\"c1\">"))
        #expect(text.contains("<Given>Ann &lt;A&amp;B&gt;</Given>"))
        #expect(text.contains("<Groups>Google Sync;VIP</Groups>"))
        #expect(text.contains("<phone_work>+442079460958</phone_work>"))
        let (page, _) = try readAll(c)
        #expect(page.problems == [])
        #expect(page.items.map(\.event.contact) == [Self.ann])
        #expect(outcomes == page.items.map { .written(key: $0.key, version: $0.version) })

        // An update empties the contact fields the contact lacks and keeps foreign children.
        var ann = Self.ann
        ann.notes = nil
        ann.groups = []
        ann.phones = [ContactPhone("+447700900123", kind: .mobile)]
        ann.custom = [:]
        let updated = try c.write([.update(key: "c1", ifVersion: page.items[0].version, event: ann.envelope())])
        guard case .written = updated[0] else { Issue.record("\(updated)"); return }
        var expected = ann
        expected.custom = ["chart_no": "77"]
        // No item of the document carries phone_mobile: the document does not store it (its
        // contactShape), so the new mobile is not written; the work and other phones are emptied.
        #expect(!c.contactShape.phoneKinds.contains(.mobile))
        expected.phones = []
        #expect(try readAll(c).0.items.map(\.event.contact) == [expected])
        #expect(try c.write([.delete(key: "c1", ifVersion: nil)]) == [.written(key: "c1", version: nil)])
        #expect(try readAll(c).0.items.isEmpty)
    }
}
