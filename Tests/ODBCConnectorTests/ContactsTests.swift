import AlmanacCore
import AlmanacTestKit
import Foundation
import Logging
import RowMapping
import Testing

@testable import ODBCConnector

/// Contacts through ODBC (`kind = "contacts"`, README "Contacts"): the contact columns read into
/// contacts, the `insert`/`update`/`delete` statements with their named parameters bound, on
/// SQLite3 and on PostgreSQL (failed, not skipped, under `ALMANAC_REQUIRE_SERVICES=1`). The
/// conformance suite's contact checks (`AlmanacTestKit`) are the hook for the whole contract;
/// these tests pin what this connector's columns and statements do.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ContactsTests {
    static let anyWindow = TimeWindow(
        start: Fixture.date("2026-03-01T00:00:00Z"), end: Fixture.date("2026-03-08T00:00:00Z"))

    static let readQuery = """
        SELECT ext AS external_id, first_name AS given_name, last_name AS family_name, company AS organization,
               email AS email_0, email_kind AS email_0_kind, email2 AS email_1, mobile AS phone_mobile,
               home_phone AS phone_home, street AS address_street, city AS address_city,
               zip AS address_postal_code, born AS birthday, notes, group_names AS groups, balance
        FROM odbc_contacts ORDER BY ext
        """
    static let insert = """
        INSERT INTO odbc_contacts (ext, first_name, last_name, company, email, email_kind, email2, mobile, home_phone,
                             street, city, zip, born, notes, group_names, balance)
        VALUES (:external_id, :given_name, :family_name, :organization, :email_0, :email_0_kind, :email_1,
                :phone_mobile, :phone_home, :address_street, :address_city, :address_postal_code, :birthday,
                :notes, :groups, :balance)
        """
    static let update = """
        UPDATE odbc_contacts SET first_name = :given_name, last_name = :family_name, company = :organization,
               email = :email_0, email_kind = :email_0_kind, email2 = :email_1, mobile = :phone_mobile,
               home_phone = :phone_home, street = :address_street, city = :address_city,
               zip = :address_postal_code, born = :birthday, notes = :notes, group_names = :groups,
               balance = :custom.balance
        WHERE ext = :external_id
        """
    static let delete = "DELETE FROM odbc_contacts WHERE ext = :external_id"

    static func table(birthday: String) -> String {
        """
        CREATE TABLE odbc_contacts (ext VARCHAR(100) PRIMARY KEY, first_name VARCHAR(80), last_name VARCHAR(80),
          company VARCHAR(80), email VARCHAR(120), email_kind VARCHAR(10), email2 VARCHAR(120), mobile VARCHAR(40),
          home_phone VARCHAR(40), street VARCHAR(120), city VARCHAR(80), zip VARCHAR(20), born \(birthday),
          notes TEXT, group_names VARCHAR(200), balance VARCHAR(20))
        """
    }

    static let seed = """
        INSERT INTO odbc_contacts VALUES
          ('c1', 'Ann', 'Lee', 'Clinic', 'ann@example.com', 'work', NULL, '(415) 555-2671', 'n/a', '1 Main St',
           'Springfield', '62701', '1980-05-17', 'likes mornings', 'Google Sync;VIP', '12.50'),
          ('c2', 'Bob', 'Ray', NULL, 'bob@example.com', NULL, 'bob@work.example', '020 7946 0958', NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL)
        """

    static func connector(
        _ cs: String, region: String? = "US", job: [String: String] = [:], side: ConnectorContext.Side = .to
    ) throws -> ODBCConnector {
        var ctx = Fixture.context(cs, job: ["read_query": readQuery].merging(job) { $1 }, side: side)
        ctx.kind = .contacts
        ctx.defaultRegion = region
        return try ODBCModule.make(ctx) as! ODBCConnector
    }

    static let ann = Contact(
        givenName: "Ann", familyName: "Lee", organization: "Clinic",
        emails: [ContactEmail("ann@example.com", kind: .work)],
        phones: [ContactPhone("+14155552671", kind: .mobile), ContactPhone("n/a", kind: .home)],
        address: PostalAddress(street: "1 Main St", city: "Springfield", postalCode: "62701"),
        birthday: CivilDate(year: 1980, month: 5, day: 17), notes: "likes mornings", groups: ["Google Sync", "VIP"],
        custom: ["balance": "12.50"])
    static let bob = Contact(
        givenName: "Bob", familyName: "Ray",
        emails: [ContactEmail("bob@example.com"), ContactEmail("bob@work.example")],
        phones: [ContactPhone("020 7946 0958", kind: .mobile)])

    /// Reads the seeded rows, writes a create, an update and a delete, and reads back.
    static func roundTrip(_ cs: String, birthday: String) throws {
        let sql = try SQL(cs)
        try sql.exec("DROP TABLE IF EXISTS odbc_contacts", table(birthday: birthday), seed)
        let c = try connector(
            cs, job: ["insert": insert, "update": update, "delete": delete])
        #expect(c.kinds == [.events, .contacts])
        #expect(c.contactFields == Set(ContactField.allCases))
        let first = try c.readListing(ReadRequest(window: anyWindow))
        #expect(first.problems == [])
        #expect(first.coverages == [.complete(anyWindow)])
        #expect(first.items.map(\.key) == ["c1", "c2"])
        #expect(first.items.map(\.event.contact) == [ann, bob])
        #expect(first.items[0].event.title == "Ann Lee")
        #expect(first.items[0].version == ContentVersion.of(ann))

        var ann2 = ann
        ann2.phones = [ContactPhone("+442079460958", kind: .mobile)]
        ann2.notes = nil
        ann2.groups = ["VIP"]
        ann2.emails = [ContactEmail("ann@home.example", kind: .home), ContactEmail("ann@example.com")]
        let cara = Contact(
            givenName: "Cara", familyName: "O'Brien", organization: "Robert'); DROP TABLE odbc_contacts;--",
            emails: [ContactEmail("cara@example.com", kind: .other)],
            phones: [ContactPhone("+14155552672", kind: .mobile), ContactPhone("+33612345678", kind: .home)],
            address: PostalAddress(city: "Paris"), birthday: CivilDate(year: 2001, month: 2, day: 28),
            notes: "line 1\nline 2", groups: ["Google Sync"], custom: ["balance": "0"])
        let outcomes = try c.write([
            .update(key: "c1", ifVersion: first.items[0].version, event: ann2.envelope()),
            .create(id: "c3", event: cara.envelope()),
            .delete(key: "c2", ifVersion: first.items[1].version),
            .delete(key: "c9", ifVersion: nil),
        ])
        #expect(
            outcomes == [
                .written(key: "c1", version: nil), .written(key: "c3", version: nil), .written(key: "c2", version: nil),
                .gone,
            ])
        let after = try c.readListing(ReadRequest(window: anyWindow))
        #expect(after.problems == [])
        #expect(after.items.map(\.key) == ["c1", "c3"])
        #expect(after.items.map(\.event.contact) == [ann2, cara])
        #expect(after.items[0].version != first.items[0].version)
        // Stored as written: the group list with its delimiter, the birthday as a date.
        #expect(try sql.rows("SELECT group_names FROM odbc_contacts WHERE ext = 'c1'") == [["VIP"]])
        #expect(
            try sql.rows("SELECT company FROM odbc_contacts WHERE ext = 'c3'") == [
                ["Robert'); DROP TABLE odbc_contacts;--"]
            ])
        #expect(try sql.rows("SELECT COUNT(*) FROM odbc_contacts") == [["2"]])
    }

    @Test func sqliteRoundTrip() throws {
        try Self.roundTrip("Driver=SQLite3;Database=\(Fixture.sqliteFile());", birthday: "DATE")
    }

    @Test func postgresRoundTrip() throws {
        guard let cs = PG.connectionString() else { return }
        try Self.roundTrip(cs, birthday: "date")
    }

    @Test func aContactsQueryWithAWindowIsRefused() throws {
        let cs = "Driver=SQLite3;Database=\(Fixture.sqliteFile());"
        let (code, message) = errorCode {
            _ = try Self.connector(
                cs, job: ["read_query": "SELECT * FROM odbc_contacts WHERE changed >= :window_start"])
        }
        #expect(code == "config.invalid_value")
        #expect(
            message
                == "job \"appointments\": read_query: uses :window_start; windows do not apply to contacts: "
                + "a contacts read_query lists every contact (it may use :since only)")
        // The same query is an events query.
        var ctx = Fixture.context(cs, job: ["read_query": "SELECT * FROM odbc_contacts WHERE changed >= :window_start"])
        ctx.kind = .events
        _ = try ODBCModule.make(ctx)
    }

    @Test func contactFieldsAreThoseReadAndUpdated() throws {
        let cs = "Driver=SQLite3;Database=\(Fixture.sqliteFile());"
        let c = try Self.connector(
            cs,
            job: [
                "update":
                    "UPDATE odbc_contacts SET first_name = :given_name, mobile = :phone_mobile WHERE ext = :external_id"
            ])
        #expect(c.contactFields == [.name, .phones])
        #expect(c.contactShape == ContactShape(names: [.given], phoneKinds: [.mobile]))
        let read = try Self.connector(cs)
        #expect(read.contactFields == Set(ContactField.allCases))
        // The parts the table names, each: no display name, no job title, two e-mails with the
        // kind of the first, mobile and home phones, street, city and postal code.
        let table = ContactShape(
            names: [.given, .family], organization: true, emails: 2, emailKinds: 1, phoneKinds: [.mobile, .home],
            phonesPerKind: 1, addressParts: [.street, .city, .postalCode], birthday: true, notes: true,
            groups: true, custom: true)
        #expect(read.contactShape == table)
        let written = try Self.connector(cs, job: ["insert": Self.insert, "update": Self.update])
        #expect(written.contactShape == table)
    }

    @Test func groupsDelimiterIsAJobSetting() throws {
        let cs = "Driver=SQLite3;Database=\(Fixture.sqliteFile());"
        let sql = try SQL(cs)
        try sql.exec(
            Self.table(birthday: "DATE"), "INSERT INTO odbc_contacts (ext, group_names) VALUES ('c1', 'A, B;C')")
        let c = try Self.connector(cs, job: ["groups_delimiter": ",", "update": Self.update])
        let items = try c.readListing(ReadRequest(window: Self.anyWindow)).items
        #expect(items.map(\.event.contact?.groups) == [["A", "B;C"]])
        var contact = try #require(items.first?.event.contact)
        contact.groups = ["X", "Y"]
        _ = try c.write([.update(key: "c1", ifVersion: nil, event: contact.envelope())])
        #expect(try sql.rows("SELECT group_names FROM odbc_contacts") == [["X,Y"]])
    }

    /// Fingerprints cover the contact rules: a row seen under one default region is mapped again
    /// under another (its phones read differently), and skipped unmapped under the same.
    @Test func fingerprintsCoverTheContactRules() throws {
        let cs = "Driver=SQLite3;Database=\(Fixture.sqliteFile());"
        let sql = try SQL(cs)
        try sql.exec(Self.table(birthday: "DATE"), Self.seed)
        var probe = RowFingerprintTests.Probe()
        _ = try Self.connector(cs).read(ReadRequest(window: Self.anyWindow), into: &probe)
        #expect(Set(probe.mapped.keys) == ["c1", "c2"])
        var same = probe.next()
        _ = try Self.connector(cs).read(ReadRequest(window: Self.anyWindow), into: &same)
        #expect(same.skipped == ["c1", "c2"])
        var other = probe.next()
        _ = try Self.connector(cs, region: "GB").read(ReadRequest(window: Self.anyWindow), into: &other)
        #expect(other.skipped == [])
        #expect(Set(other.mapped.keys) == ["c1", "c2"])
    }

    /// The demo database (`make demo`, contrib/demo/clinic.sql) reads as contacts with their groups:
    /// what a `clients` demo profile's read query returns.
    @Test func theDemoClientsReadAsContacts() throws {
        // Seeded as `make demo` seeds it: the sqlite3 shell reading contrib/demo/clinic.sql.
        let db = Fixture.sqliteFile()
        let cs = "Driver=SQLite3;Database=\(db);"
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [db]
        shell.standardInput = try FileHandle(
            forReadingFrom: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../contrib/demo/clinic.sql"))
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        let query = """
            SELECT COALESCE(ext_id, CAST(id AS TEXT)) AS external_id, name AS display_name, email AS email_0,
                   mobile AS phone_mobile, group_names AS groups
            FROM clients ORDER BY id
            """
        let items = try Self.connector(cs, job: ["read_query": query]).readListing(ReadRequest(window: Self.anyWindow))
            .items
        #expect(items.count == 7)
        #expect(
            items.filter { $0.event.contact?.groups.contains("Google Sync") == true }.map(\.key) == [
                "1", "2", "4", "6", "7",
            ])
        #expect(items[0].event.contact?.groups == ["Google Sync", "VIP"])
        #expect(items[5].event.contact?.phones == [ContactPhone("+13125550106", kind: .mobile)])
        #expect(items[6].event.contact?.phones == [ContactPhone("020 7946 0958", kind: .mobile)])
    }
}
