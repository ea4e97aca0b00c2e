import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The connector conformance suite (AlmanacTestKit) on the xml connector, as a job's target.
/// The store is one XML document, seeded and inspected with Foundation's XML DOM.
@Suite struct XMLConformanceTests {
    static let settings: [String: ConfigValue] = [
        "path": .string("store.xml"), "item": .string("/Appointments/Appointment"),
        "fields": .table(
            ConfigTable([
                "external_id": .string("@id"), "title": .string("Subject"), "start_time": .string("Start/@at"),
                "end_time": .string("End/@at"), "participant_0_name": .string("Client/Name"),
                "participant_0_email": .string("Client/Email"), "participant_0_phone_mobile": .string("Client/Mobile"),
            ])),
    ]

    final class Store: TestXMLDocument, @unchecked Sendable {  // used from one test's thread only
        init() { super.init(label: "xml", name: "store.xml", root: "Appointments") }

        func seed(_ events: [Event]) throws -> [String] {
            let f = ISO8601DateFormatter()
            return try seed(events) { key, e in
                guard case .instant(let s, _) = e.start, case .instant(let end, _)? = e.end else {
                    throw CocoaError(.coderInvalidValue)
                }
                let p = e.participants.first
                return """
                    <Appointment id="\(key)"><Subject>\(Self.esc(e.title ?? ""))</Subject>\
                    <Start at="\(f.string(from: s))"/><End at="\(f.string(from: end))"/>\
                    <content>\(Self.esc(e.description ?? ""))</content><location>\(Self.esc(e.location ?? ""))</location>\
                    <status>\(e.status.rawValue)</status>\
                    <Client><Name>\(Self.esc(p?.name ?? ""))</Name><Email>\(Self.esc(p?.email ?? ""))</Email>\
                    <Mobile>\(Self.esc(p?.phones[.mobile] ?? ""))</Mobile></Client>\
                    <appt_type>\(Self.esc(e.custom["appt_type"] ?? ""))</appt_type></Appointment>

                    """
            }
        }

        /// Reads the document with Foundation's DOM and XPath, independently of the connector.
        func stored() throws -> [String: Event] {
            let doc = try XMLDocument(contentsOf: url, options: [])
            let f = ISO8601DateFormatter()
            var out: [String: Event] = [:]
            for node in try doc.nodes(forXPath: "/Appointments/Appointment") {
                func s(_ path: String) -> String? {
                    let v = (try? node.nodes(forXPath: path))?.first?.stringValue?.trimmingCharacters(
                        in: .whitespacesAndNewlines)
                    return v?.isEmpty == false ? v : nil
                }
                var e = Event(
                    title: s("Subject"), description: s("content"), location: s("location"),
                    start: .instant(f.date(from: s("Start/@at")!)!, timeZone: nil),
                    end: s("End/@at").map { .instant(f.date(from: $0)!, timeZone: nil) },
                    status: EventStatus(rawValue: s("status") ?? "confirmed")!)
                if s("Client/Name") != nil {
                    e.participants = [
                        Participant(
                            name: s("Client/Name"), email: s("Client/Email"),
                            phones: s("Client/Mobile").map { [.mobile: $0] } ?? [:])
                    ]
                }
                if let t = s("appt_type") { e.custom["appt_type"] = t }
                out[s("@id")!] = e
            }
            return out
        }
    }

    func run(_ check: ConformanceCheck, pageSize: Int) throws {
        let store = Store()
        defer { store.scratch.cleanup() }
        let ctx = fileConnectorContext(Self.settings, side: .to, dir: store.scratch.url)
        let connector = XMLConnector(
            settings: try XMLSettings(ctx), side: .to, capabilities: [.read, .write, .delete],
            logger: ctx.logger, pageSize: pageSize)
        try check.run(
            ConformanceFixture(
                connector: connector, window: ConnectorConformance.defaultWindow,
                seed: { try store.seed($0) }, stored: { try store.stored() },
                deterministicCreates: true, versions: true))
    }

    @Test(arguments: ConnectorConformance.checks)
    func conformance(_ check: ConformanceCheck) throws { try run(check, pageSize: 5000) }

    @Test(arguments: ConnectorConformance.checks)
    func conformanceSmallPages(_ check: ConformanceCheck) throws { try run(check, pageSize: 7) }

    /// The module's factory makes the same connector a profile gets.
    @Test func madeByTheModule() throws {
        let store = Store()
        defer { store.scratch.cleanup() }
        let c = try XMLModule.make(fileConnectorContext(Self.settings, side: .to, dir: store.scratch.url))
        #expect(c.capabilities == [.read, .write, .delete, .lookup])
        #expect(c.testConnection().ok)
    }
}
