import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// A contacts file whose header has only a few contact columns stores only those
/// (`contactShape` from the header, README "Contacts"): syncing with a side that stores
/// everything, neither side's other parts are taken for deleted, and no column is added but
/// custom ones.
@Suite(.timeLimit(.minutes(10))) struct CSVNarrowHeaderTests {
    @Test func theShapeIsTheHeaders() throws {
        let s = Scratch(label: "csv-narrow")
        defer { s.cleanup() }
        let c = try CSVContactsTests.connector(["path": .string("clients.csv")], s)
        // No file yet: what the sink writes to a new file.
        #expect(c.contactShape == CSVConnector.newFileShape)
        s.file("clients.csv", "external_id,Given,family_name,email_0,email_1_kind,phone_home,chart_no\r\n")
        let mapped = try CSVContactsTests.connector(
            ["path": .string("clients.csv"), "columns": .table(ConfigTable(["given_name": .string("Given")]))], s)
        #expect(
            mapped.contactShape
                == ContactShape(
                    names: [.given, .family], emails: 1, phoneKinds: [.home], phonesPerKind: 1, custom: true))
    }

    /// A contact column outside the shape (`email_1` without `email_0`: no e-mail is stored) is
    /// neither written nor emptied by an update.
    @Test func aColumnOutsideTheShapeKeepsItsValue() throws {
        let s = Scratch(label: "csv-narrow")
        defer { s.cleanup() }
        s.file("clients.csv", "external_id,given_name,email_1\r\nc1,Ann,ann@example.com\r\n")
        let c = try CSVContactsTests.connector(["path": .string("clients.csv")], s)
        #expect(c.contactShape == ContactShape(names: [.given], custom: true))
        let before = try #require(try readAll(c).0.items.first)
        let edited = Contact(givenName: "Anna", emails: [ContactEmail("other@example.com")])
        _ = try c.write([.update(key: "c1", ifVersion: before.version, event: edited.envelope())])
        let text = try String(contentsOf: s.url.appendingPathComponent("clients.csv"), encoding: .utf8)
        #expect(text == "external_id,given_name,email_1\r\nc1,Anna,ann@example.com\r\n")
    }

    @Test func aNarrowHeaderKeepsTheWideSidesParts() throws {
        let s = Scratch(label: "csv-narrow")
        defer { s.cleanup() }
        s.file("clients.csv", "external_id,given_name,family_name,email_0\r\n")
        let csv = try CSVContactsTests.connector(["path": .string("clients.csv")], s)
        let h = try NarrowSideScenario.harness()
        #expect(try NarrowSideScenario.run(h, narrow: csv) == [])
        let text = try String(contentsOf: s.url.appendingPathComponent("clients.csv"), encoding: .utf8)
        #expect(text.components(separatedBy: "\r\n").first == "external_id,given_name,family_name,email_0,balance")
    }
}
