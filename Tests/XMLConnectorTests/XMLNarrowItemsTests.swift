import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

/// A contacts document whose items carry only a few contact fields stores only those
/// (`contactShape` from `fields` and the items' elements, README "Contacts"): syncing with a side
/// that stores everything, neither side's other parts are taken for deleted, and no element is
/// written but those and custom ones.
@Suite(.timeLimit(.minutes(10))) struct XMLNarrowItemsTests {
    static let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Clients>
          <Client id="k1"><Name><Given>Bob</Given></Name><family_name>Ray</family_name><email_0>bob@example.com</email_0><chart_no>7</chart_no></Client>
        </Clients>

        """

    static func connector(_ s: Scratch) throws -> XMLConnector {
        let settings: [String: ConfigValue] = [
            "path": .string("clients.xml"), "item": .string("/Clients/Client"),
            "fields": .table(ConfigTable(["external_id": .string("@id"), "given_name": .string("Name/Given")])),
        ]
        var ctx = fileConnectorContext(settings, side: .to, dir: s.url)
        ctx.kind = .contacts
        ctx.defaultRegion = "US"
        return XMLConnector(
            settings: try XMLSettings(ctx), side: .to, capabilities: [.read, .write, .delete], logger: ctx.logger)
    }

    @Test func theShapeIsTheMappingsAndTheItemsElements() throws {
        let s = Scratch(label: "xml-narrow")
        defer { s.cleanup() }
        let c = try Self.connector(s)
        #expect(c.contactShape == XMLConnector.newFileShape)
        s.file("clients.xml", Self.document)
        #expect(c.contactShape == ContactShape(names: [.given, .family], emails: 1, custom: true))
    }

    /// The document is read for its shape once while it is unchanged (a job's start and its
    /// write), and again once it changes. A lock file beside it fails any read of it
    /// (`xml.file_busy`): the shape comes from the read before it.
    @Test func theShapeIsReadAgainOnlyOnceTheDocumentChanges() throws {
        let s = Scratch(label: "xml-narrow")
        defer { s.cleanup() }
        s.file("clients.xml", Self.document)
        let c = try Self.connector(s)
        let narrow = ContactShape(names: [.given, .family], emails: 1, custom: true)
        #expect(c.contactShape == narrow)
        let lock = s.file("clients.xml.lock", "")
        #expect(c.contactShape == narrow)
        try FileManager.default.removeItem(at: lock)
        s.file("clients.xml", Self.document.replacingOccurrences(of: "<chart_no>", with: "<notes>N</notes><chart_no>"))
        #expect(c.contactShape == ContactShape(names: [.given, .family], emails: 1, notes: true, custom: true))
    }

    @Test func narrowItemsKeepTheWideSidesParts() throws {
        let s = Scratch(label: "xml-narrow")
        defer { s.cleanup() }
        s.file("clients.xml", Self.document)
        let xml = try Self.connector(s)
        let h = try NarrowSideScenario.harness()
        #expect(try NarrowSideScenario.run(h, narrow: xml) == [])
        let text = try String(contentsOf: s.url.appendingPathComponent("clients.xml"), encoding: .utf8)
        #expect(text.contains("<balance>10</balance>"))
        for absent in ["phone_", "address_", "email_1", "notes", "birthday", "organization"] {
            #expect(!text.contains(absent), "\(absent) written")
        }
    }
}
