import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import XMLConnector

/// A broken document must never empty the other side: the engine (AlmanacSync) syncs an XML
/// feed into a memory calendar, then reads broken versions of the feed.
@Suite struct XMLNoDeletionTests {
    @Test(
        arguments: [
            ("truncated", "<Appointments><Appointment id=\"k1\"><Subject>A</Subject><start_time>2030-03-08"),
            ("garbage", "\u{0}\u{1}PK not xml"),
            ("html error page", "<html><body>502 Bad Gateway</body></html>"),
            ("empty", ""),
            (
                "every item broken",
                "<Appointments><Appointment id=\"k1\"><start_time>soon</start_time></Appointment></Appointments>"
            ),
        ] as [(String, String)])
    func brokenDocumentDeletesNothing(name: String, broken: String) throws {
        let h = try SyncHarness()
        let s = Scratch(label: "xml")
        defer { s.cleanup() }
        let f = ISO8601DateFormatter()
        var text = "<Appointments>\n"
        for i in 1...3 {
            text +=
                "<Appointment id=\"k\(i)\"><Subject>Appointment \(i)</Subject>"
                + "<start_time>\(f.string(from: h.now.addingTimeInterval(Double(i) * 3_600)))</start_time></Appointment>\n"
        }
        s.file("feed.xml", text + "</Appointments>\n")
        var settings = XMLReadTests.plain
        settings["path"] = .string("feed.xml")
        let ctx = fileConnectorContext(settings, dir: s.url)
        let xml = XMLConnector(
            settings: try XMLSettings(ctx), side: .from, capabilities: [.read, .write, .delete],
            logger: ctx.logger)
        func run() throws -> RunReport {
            let job = try SyncJob(
                profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: xml,
                to: h.toConnector, batchSize: 100)
            return SyncEngine(job: job, from: xml, to: h.toConnector, store: h.state).run(
                options: RunOptions(), now: h.now
            ).report
        }
        let first = try run()
        #expect(first.result == .success, "\(first.error ?? "")")
        #expect(SyncHarness.titles(h.toStore) == ["Appointment 1", "Appointment 2", "Appointment 3"])

        s.file("feed.xml", broken)
        let second = try run()
        #expect(second.result == .failed)
        #expect(second.errorCode?.hasPrefix("xml.") == true, "\(second.errorCode ?? "nil"): \(second.error ?? "")")
        #expect(SyncHarness.titles(h.toStore) == ["Appointment 1", "Appointment 2", "Appointment 3"])
    }
}
