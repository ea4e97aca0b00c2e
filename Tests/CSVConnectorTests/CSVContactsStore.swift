import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// The hook for the conformance suite's contact checks (`AlmanacTestKit`): a CSV file of contacts,
/// seeded and inspected by the test's own codec (each contact column written and read by hand,
/// RFC 4180 quoting), and a `ConformanceFixture` over it with the connector as a contacts
/// target (`kind = "contacts"`).
final class CSVContactsStore: @unchecked Sendable {  // used from one test's thread only
    static let header = [
        "external_id", "given_name", "family_name", "display_name", "organization", "job_title", "email_0",
        "email_0_kind", "email_1", "email_1_kind", "phone_mobile", "phone_home", "phone_work", "phone_other",
        "address_street", "address_city", "address_region", "address_postal_code", "address_country", "birthday",
        "notes", "groups", "balance",
    ]
    let scratch = Scratch(label: "csv-contacts")
    var counter = 0
    var url: URL { scratch.url.appendingPathComponent("contacts.csv") }

    init() { scratch.file("contacts.csv", TestCSV.line(Self.header)) }

    /// The row of `contact` under `header`, written by hand.
    static func row(_ key: String, _ c: Contact) -> [String] {
        func email(_ n: Int) -> ContactEmail? { n < c.emails.count ? c.emails[n] : nil }
        func phone(_ k: PhoneKind) -> String { c.phones.first { $0.kind == k }?.number ?? "" }
        return [
            key, c.givenName ?? "", c.familyName ?? "", c.displayName ?? "", c.organization ?? "", c.jobTitle ?? "",
            email(0)?.address ?? "", email(0)?.kind.rawValue ?? "", email(1)?.address ?? "",
            email(1)?.kind.rawValue ?? "", phone(.mobile), phone(.home), phone(.work), phone(.other),
            c.address?.street ?? "", c.address?.city ?? "", c.address?.region ?? "", c.address?.postalCode ?? "",
            c.address?.country ?? "", c.birthday?.description ?? "", c.notes ?? "", c.groups.joined(separator: ";"),
            c.custom["balance"] ?? "",
        ]
    }

    /// The contact of a row's values by column name, read by hand.
    static func contact(_ v: [String: String]) -> Contact {
        func opt(_ k: String) -> String? { v[k].flatMap { $0.isEmpty ? nil : $0 } }
        var c = Contact(
            givenName: opt("given_name"), familyName: opt("family_name"), displayName: opt("display_name"),
            organization: opt("organization"), jobTitle: opt("job_title"),
            birthday: opt("birthday").flatMap { CivilDate(iso: $0) }, notes: opt("notes"),
            groups: opt("groups")?.split(separator: ";").map(String.init) ?? [])
        for n in 0..<2 {
            guard let a = opt("email_\(n)") else { continue }
            c.emails.append(ContactEmail(a, kind: opt("email_\(n)_kind").flatMap(EmailKind.init) ?? .other))
        }
        for k in PhoneKind.allCases {
            if let p = opt("phone_\(k.rawValue)") { c.phones.append(ContactPhone(p, kind: k)) }
        }
        let address = PostalAddress(
            street: opt("address_street"), city: opt("address_city"), region: opt("address_region"),
            postalCode: opt("address_postal_code"), country: opt("address_country"))
        if !address.isEmpty { c.address = address }
        if let b = opt("balance") { c.custom["balance"] = b }
        return c
    }

    func seed(_ events: [Event]) throws -> [String] {
        let h = try FileHandle(forWritingTo: url)
        defer { try? h.close() }
        try h.seekToEnd()
        return try events.map { e in
            counter += 1
            let key = "seed-\(counter)"
            try h.write(contentsOf: Data(TestCSV.line(Self.row(key, e.contact ?? Contact())).utf8))
            return key
        }
    }

    /// Reads the file with the tests' own codec (`TestCSV`), independently of the connector.
    func stored() throws -> [String: Event] {
        var out: [String: Event] = [:]
        for v in try TestCSV.records(url) { out[v["external_id"]!] = Self.contact(v).envelope() }
        return out
    }

    /// A fixture over this (empty) store, the connector a contacts target with `default_region`.
    func fixture(region: String? = "US") throws -> ConformanceFixture {
        var ctx = fileConnectorContext(["path": .string("contacts.csv")], side: .to, dir: scratch.url)
        ctx.kind = .contacts
        ctx.defaultRegion = region
        return ConformanceFixture(
            connector: try CSVModule.make(ctx), window: ConnectorConformance.defaultWindow,
            seed: { try self.seed($0) }, stored: { try self.stored() }, deterministicCreates: true, versions: true)
    }
}

/// The fixture works as the suite will use it: what is seeded, the connector lists as stored, and
/// what the connector writes, the store reads back.
@Suite(.timeLimit(.minutes(10))) struct CSVContactsStoreTests {
    @Test func theFixtureListsWhatItSeedsAndStoresWhatIsWritten() throws {
        let store = CSVContactsStore()
        defer { store.scratch.cleanup() }
        let f = try store.fixture()
        var ann = CSVContactsTests.ann
        ann.updated = nil
        let keys = try f.seed([ann.envelope(), CSVContactsTests.bob.envelope()])
        let stored = try f.stored()
        #expect(keys.map { stored[$0]?.contact } == [ann, CSVContactsTests.bob])
        let listed = try f.connector.readListing(ReadRequest(window: f.window))
        #expect(listed.problems == [])
        #expect(Dictionary(uniqueKeysWithValues: listed.items.map { ($0.key, $0.event) }) == stored)
        let cara = Contact(givenName: "Cara", groups: ["Google Sync"], custom: ["balance": "1"])
        _ = try f.connector.write([.create(id: "c3", event: cara.envelope())])
        #expect(try f.stored()["c3"]?.contact == cara)
    }
}
