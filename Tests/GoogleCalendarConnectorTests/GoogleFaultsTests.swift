import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

@Suite("google connector under injected faults", .serialized, .timeLimit(.minutes(10)))
struct GoogleFaultsTests {
    @Test func twoThousandEventsConvergeWithTwentyPercentFaults() throws {
        let h = try GoogleHarness(
            faults: FaultPolicy(rate: 0.2, retryAfter: 1, slowDelay: 0.05, seed: 7), maxConcurrent: 1)
        let count = 2000
        let creates = (0..<count).map { Change.create(id: deterministicID($0), event: sampleEvent($0, base: testBase)) }
        let settled = try writeUntilSettled(h.connector, creates)
        var etags: [String: String] = [:]
        for n in 0..<count {
            guard case .written(let key, let v) = settled[deterministicID(n)] else {
                Issue.record("item \(n) not written: \(String(describing: settled[deterministicID(n)]))")
                continue
            }
            etags[key] = v
        }
        let g = h.server.google!
        #expect(g.events().count == count)
        #expect(Set(g.events().compactMap { $0["id"] as? String }) == Set((0..<count).map(deterministicID)))

        // Initial read of the window (under faults) sees every event once.
        let first = try h.readAll(window: testWindow)
        #expect(first.items.count == count)
        #expect(Set(first.items.map(\.key)).count == count)
        for item in first.items { etags[item.key] = item.version }

        // Follow-up two-way run: the calendar side confirms and deletes some, we update and delete others.
        for n in 0..<20 {
            g.edit(deterministicID(n)) {
                $0["attendees"] = [["email": "c\(n)@example.com", "responseStatus": "accepted"]]
            }
        }
        for n in 20..<30 { g.userDelete(deterministicID(n)) }
        var ours: [Change] = []
        for n in 100..<200 {
            var e = sampleEvent(n, base: testBase)
            e.title = "Appt \(n) (moved)"
            ours.append(.update(key: deterministicID(n), ifVersion: etags[deterministicID(n)], event: e))
        }
        for n in 200..<250 { ours.append(.delete(key: deterministicID(n), ifVersion: etags[deterministicID(n)])) }
        _ = try writeUntilSettled(h.connector, ours)
        let delta = try h.readAll(window: testWindow, cursor: first.cursor)
        let accepted = delta.items.filter { $0.event.participants.first?.response == .accepted }.map(\.key)
        #expect(Set(accepted) == Set((0..<20).map(deterministicID)))
        #expect(Set((20..<30).map(deterministicID)).isSubset(of: Set(delta.deleted)))

        let live = g.events()
        #expect(live.count == count - 60)
        #expect(Set(live.compactMap { $0["id"] as? String }).count == live.count)
        for n in 100..<200 {
            #expect(g.event(deterministicID(n))?["summary"] as? String == "Appt \(n) (moved)")
        }
        for n in 200..<250 { #expect(g.event(deterministicID(n)) == nil) }

        // Faults happened, and every Retry-After was honoured (one request at a time here).
        let log = h.server.log.all
        #expect(log.contains { $0.fault == .tooManyRequests })
        #expect(log.contains { $0.fault == .reset })
        #expect(log.contains { $0.fault == .internalError || $0.fault == .unavailable })
        let honoured = retryAfterViolations(log)
        #expect(honoured.checked > 0)
        #expect(honoured.violations.isEmpty, "\(honoured.violations)")
        #expect(h.connector.http.retryAfterWaits > 0)
    }

    @Test func credentialsNeverReachTheRequestLog() throws {
        let h = try GoogleHarness(faults: FaultPolicy(rate: 0.3, seed: 3))
        _ = try writeUntilSettled(
            h.connector,
            (0..<60).map {
                Change.create(id: deterministicID($0), event: sampleEvent($0, base: testBase))
            })
        _ = try h.readAll(window: testWindow)
        let text = h.server.log.all.map { h.server.log.render($0) }.joined(separator: "\n")
        #expect(h.server.auth.grants >= 1)
        #expect(!text.contains(h.refreshToken))
        #expect(!text.contains("s3cret-value"))
        #expect(!text.contains("Bearer"))
        #expect(!text.contains("at-"))
        #expect(!text.contains("client_secret"))
    }

    /// The Retry-After check can fail: a retry 0.1 s after `Retry-After: 1` is a violation.
    @Test func retryAfterCheckCatchesAnImpatientClient() {
        let t = Date()
        let log = [
            LoggedRequest(time: t, method: "POST", target: "/batch/calendar/v3", status: 429, retryAfter: 1),
            LoggedRequest(time: t.addingTimeInterval(0.1), method: "POST", target: "/batch/calendar/v3", status: 200),
        ]
        #expect(retryAfterViolations(log).violations.count == 1)
        let patient = [
            log[0], LoggedRequest(time: t.addingTimeInterval(1.01), method: "POST", target: "/x", status: 200),
        ]
        #expect(retryAfterViolations(patient).violations.isEmpty)
    }
}
