import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import CronofyConnector
import FakeCalendars
import Foundation
import Testing

/// The sync engine between a memory source and the cronofy connector on the fake Cronofy with
/// 20 % mixed faults.
@Suite("engine → cronofy connector under faults", .serialized, .timeLimit(.minutes(10)))
struct CronofyEngineTests {
    @Test func initialSyncAndFollowUpConverge() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 60, chunk_days = 7 }
                to_owns = ["responses"]
                apply_back = { create = false, update = true, delete = false }
                """)
        let c = try CronofyHarness(faults: FaultPolicy(rate: 0.2, retryAfter: 1, slowDelay: 0.05, seed: 9))
        var keys: [String] = []
        for n in 0..<500 {
            keys.append(try h.fromStore.put(h.event("Class \(n)", hours: Double(n % 900) + 1, participant: "P\(n)")))
        }
        func run() throws -> [RunReport] {
            var reports: [RunReport] = []
            for _ in 0..<5 {
                let job = try SyncJob(
                    profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone,
                    from: h.fromConnector, to: c.connector, batchSize: 500)
                let r = SyncEngine(job: job, from: h.fromConnector, to: c.connector, store: h.state)
                    .run(options: RunOptions(), now: h.now).report
                reports.append(r)
                if r.result == .success && r.failures.isEmpty { break }
            }
            return reports
        }
        let first = try run()
        #expect(
            first.last?.result == .success, "\(first.map { "\($0.result) \($0.error ?? "") \($0.failures.prefix(3))" })"
        )
        let managed = c.server.cronofy!.managedEvents()
        #expect(managed.count == 500)
        #expect(Set(managed.values.compactMap { $0["summary"] as? String }).count == 500)

        for key in keys[0..<25] { try h.fromStore.edit(key) { $0.title = ($0.title ?? "") + " (moved)" } }
        for key in keys[25..<35] { try h.fromStore.remove(key) }
        let second = try run()
        #expect(
            second.last?.result == .success,
            "\(second.map { "\($0.result) \($0.error ?? "") \($0.failures.prefix(3))" })")
        let after = c.server.cronofy!.managedEvents()
        #expect(after.count == 490)
        #expect(after.values.filter { ($0["summary"] as? String)?.hasSuffix("(moved)") == true }.count == 25)
        #expect(c.server.log.all.contains { $0.status == 429 && $0.retryAfter != nil })
    }
}
