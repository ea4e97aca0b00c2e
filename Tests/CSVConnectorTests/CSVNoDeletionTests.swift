import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

@testable import CSVConnector

/// A broken export must never empty the other side: the engine (AlmanacSync) syncs a CSV file
/// into a memory calendar, then reads broken versions of the file.
@Suite struct CSVNoDeletionTests {
    @Test(
        arguments: [
            ("truncated", Array("external_id,title,start_time\nk1,\"A,2030-03-08".utf8)),
            ("garbage", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x1A, 0x0A]),
            ("empty", []),
            ("wrong export", Array("Invoice,Amount\n1,20\n".utf8)),
            ("every row broken", Array("external_id,title,start_time\nk1,A,tomorrow\nk2,B,soon\n".utf8)),
        ] as [(String, [UInt8])])
    func brokenFileDeletesNothing(name: String, broken: [UInt8]) throws {
        let h = try SyncHarness()
        let s = Scratch(label: "csv")
        defer { s.cleanup() }
        let f = ISO8601DateFormatter()
        var text = "external_id,title,start_time\n"
        for i in 1...3 {
            text += "k\(i),Appointment \(i),\(f.string(from: h.now.addingTimeInterval(Double(i) * 3_600)))\n"
        }
        s.file("export.csv", text)
        let ctx = fileConnectorContext(["path": .string("export.csv")], dir: s.url)
        let csv = CSVConnector(
            settings: try CSVSettings(ctx), side: .from, capabilities: [.read, .write, .delete],
            logger: ctx.logger)
        func run() throws -> RunReport {
            let job = try SyncJob(
                profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone, from: csv,
                to: h.toConnector, batchSize: 100)
            return SyncEngine(job: job, from: csv, to: h.toConnector, store: h.state).run(
                options: RunOptions(), now: h.now
            ).report
        }
        let first = try run()
        #expect(first.result == .success, "\(first.error ?? "")")
        #expect(SyncHarness.titles(h.toStore) == ["Appointment 1", "Appointment 2", "Appointment 3"])

        s.file("export.csv", broken)
        let second = try run()
        #expect(second.result == .failed)
        #expect(second.errorCode?.hasPrefix("csv.") == true, "\(second.errorCode ?? "nil"): \(second.error ?? "")")
        #expect(SyncHarness.titles(h.toStore) == ["Appointment 1", "Appointment 2", "Appointment 3"])
    }
}
