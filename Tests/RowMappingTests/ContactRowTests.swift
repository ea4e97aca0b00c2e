import AlmanacCore
import Foundation
import RowMapping
import Synchronization
import Testing

/// `RowMapper` with `contacts` set: the contact columns of a row, every other column a custom
/// field, phones normalised with the default region (kept as given and reported otherwise), and
/// `RowRenderer` writing back what reads the same. The conformance suite's contact checks
/// (`AlmanacTestKit`) run these rules through whole connectors; these tests pin the mapping.
@Suite(.timeLimit(.minutes(10))) struct ContactRowTests {
    /// The phones kept as given, as the mapper reported them.
    final class Reports: Sendable {
        let kept = Mutex<[KeptPhone]>([])
        var all: [KeptPhone] { kept.withLock { $0 } }
    }

    static func mapper(region: String? = "US", delimiter: String = ";", reports: Reports? = nil) -> RowMapper {
        let m = RowMapper(timeZone: TimeZone(identifier: "America/Chicago")!)
        var rules = ContactRules(defaultRegion: region, groupsDelimiter: delimiter)
        if let reports {
            rules.reportKeptPhone = { (k: KeptPhone) in reports.kept.withLock { $0.append(k) } }
        }
        m.contacts = rules
        return m
    }

    static func fields(_ names: [String]) -> [StandardField] {
        names.map { StandardField(name: $0) }
    }

    func map(_ row: [String: String], mapper: RowMapper = mapper()) -> RowMapper.Outcome {
        let names = row.keys.sorted()
        return mapper.map(fields: Self.fields(names), values: names.map { row[$0] }, locator: "c.csv line 2")
    }

    func contact(_ row: [String: String], mapper: RowMapper = mapper()) -> (String, Contact)? {
        guard case .item(let key, let event) = map(row, mapper: mapper), let c = event.contact else { return nil }
        return (key, c)
    }

    @Test func readsEveryContactColumn() throws {
        let row = [
            "external_id": " c1 ", "given_name": "Ann", "family_name": "Lee", "display_name": "Dr Ann Lee",
            "organization": "Clinic", "job_title": "Vet", "email_0": "ann@home.example", "email_0_kind": "Home",
            "email_2": "ann@work.example", "email_2_kind": "work", "email_3_kind": "home",
            "phone_mobile": "(415) 555-2671", "phone_work": "+44 20 7946 0958 x12", "address_street": "1 Main St",
            "address_city": "Springfield", "address_region": "IL", "address_postal_code": "62701",
            "address_country": "US", "birthday": "1980-05-17", "notes": "likes mornings",
            "groups": "Google Sync; VIP ;;Google Sync", "updated": "2026-03-02T09:30:00Z", "title": "not an event",
            "balance": "12.50",
        ]
        let (key, c) = try #require(contact(row))
        #expect(key == "c1")
        #expect(c.givenName == "Ann")
        #expect(c.familyName == "Lee")
        #expect(c.displayName == "Dr Ann Lee")
        #expect(c.organization == "Clinic")
        #expect(c.jobTitle == "Vet")
        // Gaps closed up, order kept; a kind without an address is ignored.
        #expect(
            c.emails == [ContactEmail("ann@home.example", kind: .home), ContactEmail("ann@work.example", kind: .work)])
        #expect(
            c.phones == [
                ContactPhone("+14155552671", kind: .mobile), ContactPhone("+442079460958;ext=12", kind: .work),
            ])
        #expect(
            c.address
                == PostalAddress(
                    street: "1 Main St", city: "Springfield", region: "IL", postalCode: "62701", country: "US"))
        #expect(c.birthday == CivilDate(year: 1980, month: 5, day: 17))
        #expect(c.notes == "likes mornings")
        #expect(c.groups == ["Google Sync", "VIP"])
        #expect(c.updated == Date(timeIntervalSince1970: 1_772_443_800))
        #expect(c.custom == ["title": "not an event", "balance": "12.50"])
        // The envelope the engine moves.
        guard case .item(_, let event) = map(row) else { Issue.record("no item"); return }
        #expect(event.title == "Dr Ann Lee")
        #expect(event.start == Contact.envelopeStart)
        #expect(event.updated == c.updated)
    }

    @Test func emptyValuesAreAbsentAndOnlyTheKeyIsRequired() throws {
        let (_, c) = try #require(
            contact(["external_id": "c2", "given_name": "", "notes": nil].compactMapValues { $0 }))
        #expect(c == Contact())
        guard case .problem(let p) = map(["given_name": "Ann"]) else { Issue.record("no problem"); return }
        #expect(
            p
                == ItemProblem(
                    key: "c.csv line 2", field: "external_id", reason: "missing (every row needs an external_id)"))
    }

    @Test func badValuesAreProblemsNamingTheColumn() {
        guard case .problem(let p) = map(["external_id": "c3", "birthday": "17/05/1980"]) else {
            Issue.record("no problem"); return
        }
        #expect(p.key == "c3")
        #expect(p.field == "birthday")
        #expect(p.reason == "c.csv line 2: \"17/05/1980\" is not a date (YYYY-MM-DD)")
        guard case .problem(let q) = map(["external_id": "c3", "email_0": "a@b.example", "email_0_kind": "personal"])
        else { Issue.record("no problem"); return }
        #expect(q.field == "email_0_kind")
        #expect(q.reason == "c.csv line 2: \"personal\" is not an email kind (home, work or other)")
    }

    @Test func groupsUseTheConfiguredDelimiter() throws {
        let (_, c) = try #require(
            contact(["external_id": "c4", "groups": "A|B; C|"], mapper: Self.mapper(delimiter: "|")))
        #expect(c.groups == ["A", "B; C"])
    }

    /// Real-world phone shapes through the row mapper: the value stored, and for what cannot be
    /// normalised the text kept as given and the problem reported (never dropped).
    struct PhoneCase: Sendable, CustomTestStringConvertible {
        var region: String?
        var typed: String
        var stored: String
        var problem: String?
        var testDescription: String { "\(region ?? "-") \(typed)" }
    }

    static let phones: [PhoneCase] = [
        // US
        PhoneCase(region: "US", typed: "(415) 555-2671", stored: "+14155552671"),
        PhoneCase(region: "US", typed: "415.555.2671", stored: "+14155552671"),
        PhoneCase(region: "US", typed: "1-415-555-2671", stored: "+14155552671"),
        PhoneCase(region: "US", typed: "+1 (415) 555-2671 ext. 204", stored: "+14155552671;ext=204"),
        PhoneCase(region: "US", typed: "415-555-2671 x12", stored: "+14155552671;ext=12"),
        PhoneCase(region: "US", typed: "011 44 20 7946 0958", stored: "+442079460958"),
        PhoneCase(region: "US", typed: "555-2671", stored: "555-2671", problem: "phone.not_in_numbering_plan"),
        // UK
        PhoneCase(region: "GB", typed: "020 7946 0958", stored: "+442079460958"),
        PhoneCase(region: "GB", typed: "+44 (0)20 7946 0958", stored: "+442079460958"),
        PhoneCase(region: "GB", typed: "07700 900123", stored: "+447700900123"),
        PhoneCase(region: "US", typed: "0044 7700 900123", stored: "+447700900123"),
        // DE
        PhoneCase(region: "DE", typed: "030 12345678", stored: "+493012345678"),
        PhoneCase(region: "DE", typed: "+49 (0)30 12345678", stored: "+493012345678"),
        PhoneCase(region: "DE", typed: "0151/23456789", stored: "+4915123456789"),
        PhoneCase(region: "FR", typed: "00 49 151 23456789", stored: "+4915123456789"),
        // FR
        PhoneCase(region: "FR", typed: "06 12 34 56 78", stored: "+33612345678"),
        PhoneCase(region: "FR", typed: "06.12.34.56.78", stored: "+33612345678"),
        PhoneCase(region: "GB", typed: "0033 6 12 34 56 78", stored: "+33612345678"),
        PhoneCase(region: "FR", typed: "+33 (0)1 23 45 67 89", stored: "+33123456789"),
        // AU
        PhoneCase(region: "AU", typed: "0491 570 156", stored: "+61491570156"),
        PhoneCase(region: "AU", typed: "(02) 9876 5432", stored: "+61298765432"),
        PhoneCase(region: "AU", typed: "0011 44 20 7946 0958", stored: "+442079460958"),
        PhoneCase(region: "US", typed: "+61 4 9157 0156", stored: "+61491570156"),
        // No default region: international numbers only.
        PhoneCase(region: nil, typed: "+1 415 555 2671", stored: "+14155552671"),
        PhoneCase(region: nil, typed: "020 7946 0958", stored: "020 7946 0958", problem: "phone.no_default_region"),
        // Garbage: kept as given, reported.
        PhoneCase(region: "US", typed: "n/a", stored: "n/a", problem: "phone.letters"),
        PhoneCase(region: "US", typed: "-", stored: "-", problem: "phone.no_digits"),
        PhoneCase(region: "US", typed: "1-800-FLOWERS", stored: "1-800-FLOWERS", problem: "phone.letters"),
        PhoneCase(
            region: "US", typed: "415 555 2671 or 2672", stored: "415 555 2671 or 2672", problem: "phone.letters"),
        PhoneCase(
            region: "US", typed: "*67 415 555 2671", stored: "*67 415 555 2671", problem: "phone.unexpected_character"),
        PhoneCase(region: "IT", typed: "06 1234 5678", stored: "06 1234 5678", problem: "phone.region_not_in_table"),
    ]

    @Test(arguments: phones) func phoneShapes(_ p: PhoneCase) throws {
        let reports = Reports()
        let mapper = Self.mapper(region: p.region, reports: reports)
        let (_, c) = try #require(contact(["external_id": "k", "phone_home": p.typed], mapper: mapper))
        #expect(c.phones == [ContactPhone(p.stored, kind: .home)])
        if let problem = p.problem {
            #expect(reports.all.map(\.problem.id) == [problem])
            #expect(reports.all.map(\.key) == ["k"])
            #expect(reports.all.map(\.column) == ["phone_home"])
            #expect(reports.all.map(\.text) == [p.typed])
        } else {
            #expect(reports.all.isEmpty)
        }
    }

    @Test func aFailedRowReportsNoPhone() {
        let reports = Reports()
        let outcome = map(["phone_mobile": "n/a", "birthday": "x"], mapper: Self.mapper(reports: reports))
        guard case .problem = outcome else { Issue.record("no problem"); return }
        #expect(reports.all.isEmpty)
    }

    @Test func theRendererWritesWhatReadsBackTheSame() throws {
        let rules = ContactRules(defaultRegion: "US")
        let contact = Contact(
            givenName: "Ann", familyName: "Lee", displayName: "Ann Lee", organization: "Clinic", jobTitle: "Vet",
            emails: [ContactEmail("a@x.example", kind: .work), ContactEmail("b@x.example")],
            phones: [ContactPhone("+14155552671", kind: .mobile), ContactPhone("call reception", kind: .work)],
            address: PostalAddress(city: "Springfield", country: "US"),
            birthday: CivilDate(year: 1980, month: 5, day: 17),
            notes: "n", groups: ["Google Sync", "VIP"], custom: ["balance": "3"],
            updated: Date(timeIntervalSince1970: 1_772_443_800))
        let renderer = RowRenderer(zone: ZoneResolver(TimeZone(identifier: "America/Chicago")!), formats: [:])
        let values = renderer.values(key: "c9", contact: contact, rules: rules)
        #expect(values[.custom("groups")] == "Google Sync;VIP")
        #expect(values[.custom("email_1_kind")] == "other")
        #expect(values[.custom("birthday")] == "1980-05-17")
        let columns = RowRenderer.contactColumns(for: [values])
        #expect(columns.first == .externalID)
        #expect(columns.suffix(2) == [.updated, .custom("balance")])
        let mapper = Self.mapper()
        let out = mapper.map(fields: columns, values: columns.map { values[$0] }, locator: "")
        guard case .item(let key, let event) = out else { Issue.record("\(out)"); return }
        #expect(key == "c9")
        #expect(event.contact == contact)
        #expect(ContentVersion.of(event) == ContentVersion.of(contact))
        var changed = contact
        changed.groups = ["VIP", "Google Sync"]
        #expect(ContentVersion.of(changed) == ContentVersion.of(contact))
        changed.notes = "m"
        #expect(ContentVersion.of(changed) != ContentVersion.of(contact))
    }
}
