import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

@Suite struct XMLSinkTests {
    func connector(_ settings: [String: ConfigValue], _ s: Scratch) throws -> XMLConnector {
        let ctx = fileConnectorContext(settings, side: .to, dir: s.url)
        return XMLConnector(
            settings: try XMLSettings(ctx), side: .to, capabilities: [.read, .write, .delete],
            logger: ctx.logger)
    }

    static let settings: [String: ConfigValue] = [
        "path": .string("feed.xml"), "item": .string("/f:Feed/f:Appointments/f:Appointment"),
        "namespaces": .table(ConfigTable(["f": .string("urn:feed")])),
        "fields": .table(
            ConfigTable([
                "external_id": .string("@id"), "title": .string("f:Subject"), "start_time": .string("f:When/@start"),
                "end_time": .string("f:When/@end"), "participant_0_name": .string("f:Client/f:Name"),
                "participant_0_email": .string("f:Client/f:Email"),
            ])),
    ]

    let visit = Event(
        title: "Visit <A&B>", description: "line 1\nline 2", location: "Room 4",
        start: .instant(Date(timeIntervalSince1970: 1_772_465_400), timeZone: "America/Chicago"),
        end: .instant(Date(timeIntervalSince1970: 1_772_467_200), timeZone: "America/Chicago"),
        participants: [Participant(name: "Ann \"A\"", email: "ann@example.com")],
        custom: ["appt_type": "new", "Odd key": "x"])
    let holiday = Event(
        title: "Closed", start: .allDay(CivilDate(year: 2026, month: 3, day: 9)),
        end: .allDay(CivilDate(year: 2026, month: 3, day: 10)), status: .tentative)

    @Test func writesADocumentThatReadsBackTheSame() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let c = try connector(XMLSinkTests.settings, s)
        let outcomes = try c.write([.create(id: "k1", event: visit), .create(id: "k2", event: holiday)])
        let text = try String(contentsOf: s.url.appendingPathComponent("feed.xml"), encoding: .utf8)
        #expect(
            text.hasPrefix(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<f:Feed xmlns:f=\"urn:feed\">\n  <f:Appointments>\n"))
        #expect(text.contains("<f:Subject>Visit &lt;A&amp;B&gt;</f:Subject>"))
        #expect(text.contains("<f:When start=\"2026-03-02T09:30:00-06:00\" end=\"2026-03-02T10:00:00-06:00\"/>"))
        #expect(text.contains("<Odd_key>x</Odd_key>"))

        var expectedVisit = visit
        expectedVisit.custom = ["appt_type": "new", "Odd_key": "x"]
        let (page, _) = try readAll(c)
        #expect(page.problems == [])
        #expect(page.items.map(\.event) == [expectedVisit, holiday])
        #expect(outcomes == page.items.map { .written(key: $0.key, version: $0.version) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.url.path) == ["feed.xml"])
    }

    @Test func updatesDeletesAndConflicts() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let c = try connector(XMLSinkTests.settings, s)
        _ = try c.write([.create(id: "k1", event: visit), .create(id: "k2", event: holiday)])
        let before = try readAll(c).0.items
        var changed = before[0].event
        changed.title = "Renamed"
        changed.custom = [:]
        let outcomes = try c.write([
            .update(key: "k1", ifVersion: "stale", event: changed),
            .update(key: "k1", ifVersion: before[0].version, event: changed),
            .delete(key: "k2", ifVersion: before[1].version),
            .update(key: "nope", ifVersion: nil, event: changed),
            .confirm(key: "k1", event: changed),
        ])
        #expect(outcomes[0] == .conflict(current: before[0]))
        #expect(outcomes[2] == .written(key: "k2", version: nil))
        #expect(outcomes[3] == .gone)
        #expect(outcomes[4] == .failed(retryable: false, reason: "the xml connector has no write-back: use update"))
        let after = try readAll(c).0.items
        #expect(after.map(\.key) == ["k1"])
        #expect(outcomes[1] == .written(key: "k1", version: after[0].version))
        #expect(after[0].event.title == "Renamed")
        #expect(after[0].event.custom == ["appt_type": "new", "Odd_key": "x"])
    }

    @Test func aBrokenExistingDocumentIsNotOverwritten() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        s.file("feed.xml", "<f:Feed xmlns:f=\"urn:feed\"><f:Appointments><f:Appointment id=\"1\">")
        let c = try connector(XMLSinkTests.settings, s)
        #expect(errorCode { _ = try c.write([.create(id: "k1", event: visit)]) }.0 == "xml.parse_failed")
        let text = try String(contentsOf: s.url.appendingPathComponent("feed.xml"), encoding: .utf8)
        #expect(text == "<f:Feed xmlns:f=\"urn:feed\"><f:Appointments><f:Appointment id=\"1\">")
    }

    @Test func aSinkNeedsAnItemBelowTheRoot() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        var settings = XMLSinkTests.settings
        settings["item"] = .string("/Appointment")
        settings["namespaces"] = nil
        settings["fields"] = nil
        let (code, message) = errorCode {
            _ = try XMLModule.make(fileConnectorContext(settings, side: .to, dir: s.url))
        }
        #expect(code == "config.invalid_value")
        #expect(message.contains("below the root element"))
        #expect(
            try XMLModule.make(fileConnectorContext(settings, side: .from, dir: s.url)).capabilities.contains(.read))
    }

    @Test func aTargetNotWrittenYetIsEmptyButAVanishedOneIsAnError() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let ctx = fileConnectorContext(XMLSinkTests.settings, side: .to, dir: s.url)
        let c = try XMLModule.make(ctx)
        #expect(try readAll(c).0.items.isEmpty)
        _ = try c.write([.create(id: "k1", event: holiday)])
        #expect(try readAll(c).0.items.map(\.key) == ["k1"])
        try FileManager.default.removeItem(at: s.url.appendingPathComponent("feed.xml"))
        let (code, message) = errorCode { _ = try readAll(try XMLModule.make(ctx)) }
        #expect(code == "xml.path_missing")
        #expect(message.contains("was written by this job before and is gone"))
    }
}
