import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// Contacts in CSV files (`kind = "contacts"`, README "Contacts"): the contact columns read into
/// contacts, and the whole file rewritten for a run's changes, reading back the same. The
/// conformance suite's contact checks (`AlmanacTestKit`) are the hook for the whole contract.
@Suite(.timeLimit(.minutes(10))) struct CSVContactsTests {
    static func connector(
        _ settings: [String: ConfigValue], _ s: Scratch, region: String? = "US", job: [String: ConfigValue] = [:]
    ) throws -> CSVConnector {
        var ctx = fileConnectorContext(settings, side: .to, dir: s.url)
        ctx.kind = .contacts
        ctx.defaultRegion = region
        ctx.jobSettings = ConfigTable(job)
        return CSVConnector(
            settings: try CSVSettings(ctx), side: .to, capabilities: [.read, .write, .delete], logger: ctx.logger)
    }

    static let ann = Contact(
        givenName: "Ann", familyName: "Lee", displayName: "Ann Lee", organization: "Clinic, \"North\"",
        jobTitle: "Vet", emails: [ContactEmail("ann@example.com", kind: .work), ContactEmail("ann@home.example")],
        phones: [ContactPhone("+14155552671", kind: .mobile), ContactPhone("ask at desk", kind: .work)],
        address: PostalAddress(street: "1 Main St", city: "Springfield", region: "IL", postalCode: "62701"),
        birthday: CivilDate(year: 1980, month: 5, day: 17), notes: "line 1\nline 2", groups: ["Google Sync", "VIP"],
        custom: ["balance": "12.50"], updated: Date(timeIntervalSince1970: 1_772_443_800))
    static let bob = Contact(givenName: "Bob", phones: [ContactPhone("+442079460958", kind: .home)])

    @Test func writesAFileThatReadsBackTheSame() throws {
        let s = Scratch(label: "csv-contacts")
        defer { s.cleanup() }
        let c = try Self.connector(["path": .string("clients.csv")], s)
        #expect(c.kinds == [.events, .contacts])
        #expect(c.contactFields == Set(ContactField.allCases))
        let outcomes = try c.write([
            .create(id: "c1", event: Self.ann.envelope()), .create(id: "c2", event: Self.bob.envelope()),
        ])
        let text = try String(contentsOf: s.url.appendingPathComponent("clients.csv"), encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n")
        #expect(
            lines[0]
                == "external_id,given_name,family_name,display_name,organization,job_title,phone_mobile,phone_home,"
                + "phone_work,phone_other,address_street,address_city,address_region,address_postal_code,"
                + "address_country,birthday,notes,groups,email_0,email_0_kind,email_1,email_1_kind,updated,balance")
        #expect(
            lines[1]
                == "c1,Ann,Lee,Ann Lee,\"Clinic, \"\"North\"\"\",Vet,+14155552671,,ask at desk,,1 Main St,Springfield,IL,"
                + "62701,,1980-05-17,\"line 1\nline 2\",Google Sync;VIP,ann@example.com,work,ann@home.example,other,"
                + "2026-03-02T03:30:00-06:00,12.50")
        let (page, _) = try readAll(c)
        #expect(page.problems == [])
        #expect(page.items.map(\.key) == ["c1", "c2"])
        #expect(page.items.map(\.event.contact) == [Self.ann, Self.bob])
        #expect(outcomes == page.items.map { .written(key: $0.key, version: $0.version) })
    }

    @Test func updatesEmptyStandardColumnsAndKeepForeignOnes() throws {
        let s = Scratch(label: "csv-contacts")
        defer { s.cleanup() }
        s.file(
            "clients.csv",
            "External_ID;Given_Name;Notes;Email_0;email_1;Phone_Mobile;Groups;chart_no\n"
                + "c1;Ann;old notes;a@x.example;b@x.example;(415) 555-2671;A;77\n"
                + "c2;Bob;;;;n/a;;78\n")
        let c = try Self.connector(["path": .string("clients.csv"), "delimiter": .string(";")], s)
        let before = try readAll(c).0.items
        #expect(
            before.map(\.event.contact)
                == [
                    Contact(
                        givenName: "Ann", emails: [ContactEmail("a@x.example"), ContactEmail("b@x.example")],
                        phones: [ContactPhone("+14155552671", kind: .mobile)], notes: "old notes", groups: ["A"],
                        custom: ["chart_no": "77"]),
                    Contact(givenName: "Bob", phones: [ContactPhone("n/a", kind: .mobile)], custom: ["chart_no": "78"]),
                ])
        var ann = try #require(before[0].event.contact)
        ann.notes = nil
        ann.emails = [ContactEmail("b@x.example", kind: .work)]
        ann.groups = []
        ann.custom = [:]
        let outcomes = try c.write([
            .update(key: "c1", ifVersion: before[0].version, event: ann.envelope()),
            .delete(key: "c2", ifVersion: "stale"),
        ])
        #expect(outcomes[0] != .gone)
        guard case .conflict(let current?) = outcomes[1] else { Issue.record("\(outcomes[1])"); return }
        #expect(current.event.contact?.givenName == "Bob")
        let text = try String(contentsOf: s.url.appendingPathComponent("clients.csv"), encoding: .utf8)
        // The header has no email_0_kind: no column is added for it (the kind is not stored).
        #expect(
            text
                == "External_ID;Given_Name;Notes;Email_0;email_1;Phone_Mobile;Groups;chart_no\n"
                + "c1;Ann;;b@x.example;;+14155552671;;77\n" + "c2;Bob;;;;n/a;;78\n")
        let after = try readAll(c).0.items
        var expected = ann
        expected.custom = ["chart_no": "77"]
        expected.emails = [ContactEmail("b@x.example")]
        #expect(after.map(\.event.contact) == [expected, before[1].event.contact])
    }

    @Test func theGroupsDelimiterIsAJobSetting() throws {
        let s = Scratch(label: "csv-contacts")
        defer { s.cleanup() }
        s.file("clients.csv", "external_id,groups\nc1,\"A;1|B\"\n")
        let c = try Self.connector(["path": .string("clients.csv")], s, job: ["groups_delimiter": .string("|")])
        #expect(try readAll(c).0.items.map(\.event.contact?.groups) == [["A;1", "B"]])
    }

    @Test func aContactsFileNeedsOnlyAnExternalID() throws {
        let s = Scratch(label: "csv-contacts")
        defer { s.cleanup() }
        s.file("clients.csv", "given_name\nAnn\n")
        let (code, message) = errorCode { _ = try readAll(try Self.connector(["path": .string("clients.csv")], s)) }
        #expect(code == "csv.column_missing")
        #expect(message.contains("no column for external_id"))
    }
}
