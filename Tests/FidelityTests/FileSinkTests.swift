import AlmanacCore
import AlmanacSync
import Foundation
import Testing

/// File sinks write once per run (issue "Exact sync", defect 10): a CSV or XML target is
/// rewritten whole by every write, so the engine gives it a run's changes in one write.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FileSinkTests {
    static let now = Date(timeIntervalSince1970: 1_773_154_800)

    static func profile(target: String) -> String {
        let out =
            target == "csv"
            ? "connector = \"csv\"\npath = \"$DIR/out.csv\"\nsettle = \"0s\""
            : "connector = \"xml\"\npath = \"$DIR/out.xml\"\nitem = \"/Appointments/Appointment\"\nsettle = \"0s\""
        return """
            timezone = "America/Chicago"
            [connections.src]
            connector = "csv"
            path = "$DIR/in.csv"
            settle = "0s"
            [connections.out]
            \(out)
            [[jobs]]
            name = "appointments"
            from = "src"
            to = "out"
            window = { past_days = 7, future_days = 30, chunk_days = 7 }
            """
    }

    @Test(arguments: ["csv", "xml"])
    func aRunOfManyChangesRewritesTheTargetOnce(target: String) throws {
        let h = try FidelityHarness(now: Self.now, profile: Self.profile(target: target))
        func source(_ title: String) throws {
            var text = "external_id,title,start_time\n"
            for n in 0..<250 { text += "r\(n),\(title) \(n),\(wall(Self.now + Double(n) * 600))\n" }
            try Data(text.utf8).write(to: h.dir.appendingPathComponent("in.csv"))
        }
        func run() throws -> (RunReport, writes: Int) {
            let engine = try h.engine()
            var writes = 0
            engine.faultHook = { point in
                if case .beforeWrite(.to, _) = point { writes += 1 }
            }
            return (engine.run(options: RunOptions(), now: h.now).report, writes)
        }
        try source("Visit")
        let (created, createWrites) = try run()
        #expect(created.toCounts.created == 250, "\(created.summary)")
        #expect(createWrites == 1)
        try source("Checkup")
        let (updated, updateWrites) = try run()
        #expect(updated.toCounts.updated == 250, "\(updated.summary)")
        #expect(updateWrites == 1)
        #expect(try h.run().report.writes == 0)
    }
}
