import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

/// The trie's child lookups, remembered by interned name pointer (`XMLChildLookup`), give what
/// the trie gives: with more names under the item than the table holds (names past it are looked
/// up each time), with mapped children before and after them, and nested mapped children.
@Suite(.timeLimit(.minutes(10))) struct XMLChildLookupTests {
    @Test func moreNamesThanTheTableHolds() throws {
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        var body = "<Appointments>\n"
        for n in 0..<3 {
            body += "<Appointment id=\"K\(n)\">"
            if n == 1 { body += "<Subject>Early \(n)</Subject>" }
            for k in 0..<40 { body += "<c\((k + n * 7) % 40)>v\((k + n * 7) % 40)-\(n)</c\((k + n * 7) % 40)>" }
            body += "<Subject>Title \(n)</Subject><Start>2026-03-0\(n + 1)T10:00</Start>"
            body += "<Client><Name>Name \(n)</Name><c3>inner</c3></Client></Appointment>\n"
        }
        s.file("c.xml", body + "</Appointments>\n")
        let ctx = fileConnectorContext(
            [
                "path": .string("c.xml"), "item": .string("/Appointments/Appointment"),
                "fields": .table(
                    ConfigTable([
                        "external_id": .string("@id"), "title": .string("Subject"), "start_time": .string("Start"),
                        "participant_0_name": .string("Client/Name"),
                    ])),
            ], dir: s.url)
        let c = XMLConnector(
            settings: try XMLSettings(ctx), side: .from, capabilities: [.read], logger: ctx.logger, pageSize: 10)
        let page = try readAll(c).0
        #expect(page.problems == [])
        #expect(page.items.map(\.key) == ["K0", "K1", "K2"])
        for (n, item) in page.items.enumerated() {
            // The first occurrence wins.
            #expect(item.event.title == (n == 1 ? "Early 1" : "Title \(n)"))
            #expect(item.event.participants.map(\.name) == ["Name \(n)"])
            var custom: [String: String] = [:]
            for k in 0..<40 { custom["c\(k)"] = "v\(k)-\(n)" }
            #expect(item.event.custom == custom)
        }
    }
}
