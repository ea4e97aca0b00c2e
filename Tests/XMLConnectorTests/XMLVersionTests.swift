import AlmanacCore
import AlmanacTestKit
import FileConnectorSupport
import Foundation
import RowMapping
import Testing

@testable import XMLConnector

/// The version the reader hashes from an item's bytes (laid out once, hashed in one piece) is the
/// one `XMLItemValues.version` computes value by value from the same item, on seeded random items:
/// values of every length around the hash's 8-byte words, empty and white-space values, mapped
/// attributes and nested mapped elements, unmapped children and attributes coming and going.
@Suite(.timeLimit(.minutes(10))) struct XMLVersionTests {
    static func item(_ n: Int, _ r: inout SeededRandom) -> String {
        var attributes = " id=\"K\(n)\""
        if r.below(3) == 0 { attributes += " kind=\"\(r.text(12))\"" }
        if r.below(4) == 0 { attributes = " extra_attribute_name=\"\(r.text(20))\"" + attributes }
        var children: [String] = [
            "<Start>2026-03-\(n % 28 + 1 < 10 ? "0" : "")\(n % 28 + 1)T10:00</Start>"
        ]
        if r.below(5) != 0 { children.append("<Subject>\(r.text(40))</Subject>") }
        if r.below(3) != 0 {
            var client = ""
            if r.below(4) != 0 { client += "<Name>\(r.text(24))</Name>" }
            if r.below(2) == 0 { client += " \(r.text(5)) " }
            if r.below(4) != 0 { client += "<Email>\(r.text(30))@example.org</Email>" }
            children.append("<Client>\(client)</Client>")
        }
        for name in ["Room", "appt_type", "a_rather_long_element_name", "state", "x"] where r.below(2) == 0 {
            let value = r.below(6) == 0 ? [" ", "", "\n  "][r.below(3)] : r.text(33)
            children.append("<\(name)>\(value)</\(name)>")
        }
        if r.below(6) == 0 { children.append("<Nested><Deep>\(r.text(9))</Deep></Nested>") }
        if r.below(8) == 0 { children.append("<Note><![CDATA[\(r.text(17)) <b>]]></Note>") }
        // Children in another order now and then (the extras are hashed in document order).
        if r.below(4) == 0 { children.shuffle(using: &r) }
        return "<Appointment\(attributes)>" + children.joined(separator: r.below(2) == 0 ? "" : "\n  ")
            + "</Appointment>\n"
    }

    @Test func theReadersVersionIsTheValuesVersion() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        var r = SeededRandom(state: 9)
        var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Appointments>\n"
        for n in 0..<3000 { body += XMLVersionTests.item(n, &r) }
        s.file("v.xml", body + "</Appointments>\n")
        let settings: [String: ConfigValue] = [
            "path": .string("v.xml"), "item": .string("/Appointments/Appointment"),
            "fields": .table(
                ConfigTable([
                    "external_id": .string("@id"), "title": .string("Subject"), "start_time": .string("Start"),
                    "participant_0_name": .string("Client/Name"), "participant_0_email": .string("Client/Email"),
                    "location": .string("Client"),
                ])),
        ]
        let ctx = fileConnectorContext(settings, dir: s.url)
        let c = XMLConnector(
            settings: try XMLSettings(ctx), side: .from, capabilities: [.read], logger: ctx.logger, pageSize: 700)
        var items: [SourceItem] = []
        var request = ReadRequest(
            window: TimeWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 4e9)))
        while true {
            let page = try c.read(request)
            #expect(page.problems == [])
            items += page.items
            guard let next = page.continuation else { break }
            request.continuation = next
        }
        #expect(items.count == 3000)

        let url = s.url.appendingPathComponent("v.xml")
        let reader = try XMLItemReader(
            url: url, settings: c.settings, source: FileSource(prefix: "xml", path: url, glob: "*", settle: .zero))
        // The same values as strings, mapped as the sink maps them: the same event (the shapes of
        // item the reader keeps match each item's own fields and extras).
        let mapper = RowMapper(timeZone: ctx.timeZone)
        var expected: [String] = []
        var events: [Event?] = []
        while let (values, _) = try reader.nextValues() {
            expected.append(values.version)
            let row = values.row(c.settings.fields.map(\.field))
            if case .item(_, let event) = mapper.map(fields: row.fields, values: row.values, locator: "") {
                events.append(event)
            } else {
                events.append(nil)
            }
        }
        #expect(expected.count == items.count)
        for (item, (version, event)) in zip(items, zip(expected, events))
        where item.version != version || item.event != event {
            Issue.record("\(item.key): read \(item.version), \(item.event); values \(version), \(event as Any)")
            return
        }
        // Items that differ have different versions (the check above is not comparing constants).
        #expect(Set(expected).count > 2900)
    }
}

extension SeededRandom {
    /// Up to `max` characters of text, `&` escaped.
    mutating func text(_ max: Int) -> String {
        let letters = Array("abcdefghij XYZ,&é0123456789")
        let n = below(max + 1)
        var s = ""
        for _ in 0..<n {
            let c = letters[below(letters.count)]
            s += c == "&" ? "&amp;" : String(c)
        }
        return s
    }
}
