import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

/// An XML sink keeps the origin stamp through updates: the stamp is the `external_id` almanac
/// gives an item on create, and an update rewrites the item under that same id.
@Suite struct XMLStampTests {
    let settings: [String: ConfigValue] = [
        "path": .string("feed.xml"), "item": .string("/Feed/Appointment"),
        "fields": .table(
            ConfigTable([
                "external_id": .string("@id"), "title": .string("Subject"), "content": .string("Notes"),
                "start_time": .string("When/@start"), "end_time": .string("When/@end"),
                "participant_0_name": .string("Client/Name"), "participant_0_email": .string("Client/Email"),
            ])),
    ]

    @Test func tenUpdatesAcrossIdleRunsKeepTheIDAndALostStateLinksEveryItem() throws {
        let s = Scratch(label: "xml-stamp")
        defer { s.cleanup() }
        let h = try SyncHarness.windowed()
        let ctx = fileConnectorContext(settings, side: .to, dir: s.url)
        let sink = try XMLModule.make(ctx)
        let r = try StampScenario.run(h, to: sink)
        #expect(r.mismatches(listed: try readAll(sink).0.items) == [])
    }
}
