import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

/// The sync engine (AlmanacSync) between a memory source and the google connector on the fake
/// Google with 20 % mixed faults: the initial sync and a two-way follow-up converge.
@Suite("engine → google connector under faults", .serialized, .timeLimit(.minutes(10)))
struct GoogleEngineTests {
    func runUntilClean(_ h: SyncHarness, _ google: GoogleConnector, runs: Int = 5) throws -> [RunReport] {
        var reports: [RunReport] = []
        for _ in 0..<runs {
            let job = try SyncJob(
                profile: h.profile.name, config: h.job, timeZone: h.profile.timeZone,
                from: h.fromConnector, to: google, batchSize: 500)
            let report = SyncEngine(job: job, from: h.fromConnector, to: google, store: h.state)
                .run(options: RunOptions(), now: h.now).report
            reports.append(report)
            if report.result == .success && report.failures.isEmpty { break }
        }
        return reports
    }

    @Test func twoThousandEventsAndATwoWayFollowUpConverge() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 60, chunk_days = 7 }
                to_owns = ["responses"]
                apply_back = { create = false, update = true, delete = false }
                """)
        let g = try GoogleHarness(
            faults: FaultPolicy(rate: 0.2, retryAfter: 1, slowDelay: 0.05, seed: 5), maxConcurrent: 1)
        var keys: [String] = []
        for n in 0..<2000 {
            keys.append(try h.fromStore.put(h.event("Appt \(n)", hours: Double(n % 1200) + 1, participant: "P\(n)")))
        }
        let first = try runUntilClean(h, g.connector)
        #expect(
            first.last?.result == .success, "\(first.map { "\($0.result) \($0.error ?? "") \($0.failures.prefix(3))" })"
        )
        let live = g.server.google!.events()
        #expect(live.count == 2000)
        let titles = live.compactMap { $0["summary"] as? String }
        #expect(Set(titles).count == 2000)
        let origins = live.compactMap {
            (($0["extendedProperties"] as? [String: Any])?["private"] as? [String: String])?["almanacOrigin"]
        }
        #expect(Set(origins).count == 2000)

        // Follow-up: the source moves and deletes some, a client accepts on the calendar side.
        for key in keys[0..<50] { try h.fromStore.edit(key) { $0.title = ($0.title ?? "") + " (moved)" } }
        for key in keys[50..<70] { try h.fromStore.remove(key) }
        // Accept ten events the source leaves alone (Appt 70 and up): the fake's order follows
        // batch timing under faults, so "the first ten" could include moved or deleted ones.
        func number(_ e: [String: Any]) -> Int {
            Int((e["summary"] as? String)?.split(separator: " ").last ?? "") ?? -1
        }
        let acceptedEvents = Array(live.filter { number($0) >= 70 }.prefix(10))
        let accepted = acceptedEvents.compactMap { $0["id"] as? String }
        for id in accepted {
            g.server.google!.edit(id) { e in
                var a = e["attendees"] as? [[String: Any]] ?? []
                if !a.isEmpty { a[0]["responseStatus"] = "accepted" }
                e["attendees"] = a
            }
        }
        let second = try runUntilClean(h, g.connector)
        #expect(
            second.last?.result == .success,
            "\(second.map { "\($0.result) \($0.error ?? "") \($0.failures.prefix(3))" })")
        let after = g.server.google!.events()
        #expect(after.count == 1980)
        let afterTitles = after.compactMap { $0["summary"] as? String }
        #expect(Set(afterTitles).count == 1980)
        #expect(afterTitles.filter { $0.hasSuffix("(moved)") }.count == 50)

        // The calendar side's confirmations came back to the source (write-back).
        let acceptedTitles = Set(acceptedEvents.compactMap { $0["summary"] as? String })
        #expect(acceptedTitles.count == 10)
        let confirmedAtSource = h.fromStore.live.values.filter { acceptedTitles.contains($0.event.title ?? "") }
        #expect(confirmedAtSource.count == 10)
        for r in confirmedAtSource {
            #expect(
                r.writeBacks.contains { $0.contains("confirm") } || r.event.participants.first?.response == .accepted,
                "\(r.key): write-backs \(r.writeBacks), response \(String(describing: r.event.participants.first?.response))"
            )
        }
        print("engine runs: initial \(first.count), follow-up \(second.count); requests \(g.server.log.count)")

        // Retry-After was honoured (the client sends one request at a time here).
        let log = g.server.log.all
        #expect(log.contains { $0.retryAfter != nil })
        let honoured = retryAfterViolations(log)
        #expect(honoured.checked > 0)
        #expect(honoured.violations.isEmpty, "\(honoured.violations)")
    }

    @Test func expiredSyncTokenLeadsToAFullListingWithoutDuplicates() throws {
        let h = try SyncHarness(
            job: """
                direction = "two-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                """)
        let g = try GoogleHarness()
        g.server.google!.pageCap = 40
        for n in 0..<100 { _ = try h.fromStore.put(h.event("Visit \(n)", hours: Double(n) + 1)) }
        #expect(try runUntilClean(h, g.connector).last?.result == .success)
        #expect(try runUntilClean(h, g.connector).last?.result == .success)  // stores the sync token
        g.server.google!.expireSyncTokens()
        g.server.log.clear()
        let after = try runUntilClean(h, g.connector)
        #expect(after.last?.result == .success)
        #expect(after.last?.toCounts.created == 0)
        let log = g.server.log.all
        #expect(log.contains { $0.status == 410 })
        #expect(log.contains { $0.target.contains("timeMin=") })  // the full listing that followed
        #expect(g.server.google!.events().count == 100)
        #expect(Set(g.server.google!.events().compactMap { $0["summary"] as? String }).count == 100)
    }

    @Test func calendarSideDeletionThenRecreationUsesANewGenerationID() throws {
        let h = try SyncHarness(
            job: """
                direction = "one-way"
                window = { past_days = 7, future_days = 30, chunk_days = 7 }
                """)
        let g = try GoogleHarness()
        let key = try h.fromStore.put(h.event("Reserved", hours: 5))
        #expect(try runUntilClean(h, g.connector).last?.result == .success)
        let firstID = try #require(g.server.google!.events().first?["id"] as? String)
        g.server.google!.userDelete(firstID)
        // The source edits it: the engine must bring it back, and the old id is reserved (409).
        try h.fromStore.edit(key) { $0.location = "Room 9" }
        let reports = try runUntilClean(h, g.connector)
        print(
            "reserved-id runs: \(reports.map { "\($0.result) created=\($0.toCounts.created) updated=\($0.toCounts.updated) failures=\($0.failures)" })"
        )
        #expect(reports.last?.result == .success)
        let live = g.server.google!.events()
        #expect(live.count == 1)
        #expect((live.first?["id"] as? String) != firstID)
        #expect(live.first?["location"] as? String == "Room 9")
    }
}
