import AlmanacCore
import AlmanacHTTP
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Testing

@Suite("google connector against the fake Google", .serialized, .timeLimit(.minutes(10)))
struct GoogleConnectorTests {
    @Test func createsWithDeterministicIDsInBatchesAndReadsThemBack() throws {
        let h = try GoogleHarness()
        h.server.google!.pageCap = 50
        let changes = (0..<120).map { Change.create(id: deterministicID($0), event: sampleEvent($0, base: testBase)) }
        let outcomes = try h.connector.write(changes)
        #expect(outcomes.count == 120)
        for (n, o) in outcomes.enumerated() {
            guard case .written(let key, let version) = o else {
                Issue.record("item \(n): \(o)")
                continue
            }
            #expect(key == deterministicID(n))
            #expect(version != nil)
        }
        let batches = h.server.log.all.filter { $0.target.hasPrefix("/batch") }
        #expect(batches.count == 3)
        #expect(batches.allSatisfy { $0.batchParts <= 50 })
        #expect(batches.map(\.batchParts).reduce(0, +) == 120)
        let stored = h.server.google!.event(deterministicID(7))!
        #expect(stored["summary"] as? String == "Appt 7")
        let priv = (stored["extendedProperties"] as? [String: Any])?["private"] as? [String: String]
        #expect(priv?["almanacOrigin"] == deterministicID(7))
        let start = stored["start"] as? [String: String]
        #expect(start?["timeZone"] == "America/Chicago")
        #expect(start?["dateTime"]?.hasSuffix("-06:00") == true || start?["dateTime"]?.hasSuffix("-05:00") == true)

        let listing = try h.readAll(window: testWindow)
        #expect(listing.items.count == 120)
        #expect(Set(listing.items.map(\.key)).count == 120)
        #expect(listing.cursor != nil)
        #expect(listing.pages >= 3)
        let seven = listing.items.first { $0.key == deterministicID(7) }!
        #expect(seven.event.title == "Appt 7")
        #expect(seven.event.origin == deterministicID(7))
        #expect(seven.event.custom["appt_type"] == "checkup")
        #expect(seven.event.participants.first?.email == "c7@example.com")
    }

    @Test func deltasAfterSyncTokenAndFullListingAfter410WithoutDuplicates() throws {
        let h = try GoogleHarness()
        let changes = (0..<30).map { Change.create(id: deterministicID($0), event: sampleEvent($0, base: testBase)) }
        _ = try h.connector.write(changes)
        let first = try h.readAll(window: testWindow)
        let g = h.server.google!
        g.edit(deterministicID(3)) { $0["summary"] = "moved by user" }
        g.userDelete(deterministicID(4))
        let delta = try h.readAll(window: testWindow, cursor: first.cursor)
        #expect(delta.items.map(\.key) == [deterministicID(3)])
        #expect(delta.items.first?.event.title == "moved by user")
        #expect(delta.deleted == [deterministicID(4)])
        #expect(delta.coverages.allSatisfy { $0 == .delta })
        #expect(delta.cursor != nil)

        g.expireSyncTokens()
        let full = try h.readAll(window: testWindow, cursor: delta.cursor)
        #expect(full.coverages.allSatisfy { $0 == .complete(testWindow) })
        #expect(full.items.count == 29)
        #expect(Set(full.items.map(\.key)).count == 29)
        #expect(h.server.log.all.contains { $0.status == 410 })
        #expect(full.cursor != nil)
        // The listing after the 410 must not have re-created anything.
        #expect(g.events().count == 29)
    }

    @Test func staleEtagGivesConflictWithCurrentItem() throws {
        let h = try GoogleHarness()
        let id = deterministicID(1)
        guard
            case .written(_, let etag?) = try h.connector.write([.create(id: id, event: sampleEvent(1, base: testBase))]
            )[0]
        else { Issue.record("create failed"); return }
        h.server.google!.edit(id) { $0["summary"] = "user edit" }
        var changed = sampleEvent(1, base: testBase)
        changed.title = "our edit"
        let outcome = try h.connector.write([.update(key: id, ifVersion: etag, event: changed)])[0]
        guard case .conflict(let current?) = outcome else { Issue.record("expected conflict, got \(outcome)"); return }
        #expect(current.event.title == "user edit")
        #expect(current.version != etag)
        #expect(h.server.log.all.contains { $0.target.contains(id) && $0.method == "GET" })
        // Merged and re-sent with the current etag, it goes through.
        let again = try h.connector.write([.update(key: id, ifVersion: current.version, event: changed)])[0]
        guard case .written = again else { Issue.record("\(again)"); return }
        #expect(h.server.google!.event(id)?["summary"] as? String == "our edit")
    }

    @Test func reservedIDLeadsToNewGenerationNotALoop() throws {
        let h = try GoogleHarness()
        let id = deterministicID(2)
        _ = try h.connector.write([.create(id: id, event: sampleEvent(2, base: testBase))])
        h.server.google!.userDelete(id)
        let outcome = try h.connector.write([.create(id: id, event: sampleEvent(2, base: testBase))])[0]
        guard case .conflict(let current?) = outcome else { Issue.record("expected conflict, got \(outcome)"); return }
        #expect(current.event.status == .cancelled)
        let settled = try writeUntilSettled(h.connector, [.create(id: id, event: sampleEvent(2, base: testBase))])
        guard case .written(let key, _) = settled[nextGeneration(id)] else {
            Issue.record("\(settled)")
            return
        }
        #expect(key == id + "g1")
        #expect(h.server.google!.events().count == 1)
        #expect(h.server.log.all.filter { $0.status == 409 }.isEmpty)  // 409s are inner parts, not outer
    }

    @Test func deleteAndGone() throws {
        let h = try GoogleHarness()
        let id = deterministicID(9)
        guard
            case .written(_, let etag) = try h.connector.write([.create(id: id, event: sampleEvent(9, base: testBase))]
            )[0]
        else { Issue.record("create failed"); return }
        let outcomes = try h.connector.write([
            .delete(key: id, ifVersion: etag), .delete(key: "neverexisted1", ifVersion: nil),
        ])
        guard case .written = outcomes[0] else { Issue.record("\(outcomes[0])"); return }
        #expect(outcomes[1] == .gone)
        #expect(try h.connector.write([.delete(key: id, ifVersion: nil)])[0] == .gone)
    }

    @Test func allDayAndRecurringInstances() throws {
        let h = try GoogleHarness()
        let day = CivilDate(year: 2027, month: 1, day: 20)
        let allDay = Event(title: "Closed", start: .allDay(day))
        _ = try h.connector.write([.create(id: deterministicID(100), event: allDay)])
        let stored = h.server.google!.event(deterministicID(100))!
        #expect((stored["start"] as? [String: String])?["date"] == "2027-01-20")
        #expect((stored["end"] as? [String: String])?["date"] == "2027-01-21")
        h.server.google!.seed([
            "id": "series00001", "summary": "Weekly review",
            "start": ["dateTime": "2027-01-11T15:00:00Z", "timeZone": "UTC"],
            "end": ["dateTime": "2027-01-11T16:00:00Z", "timeZone": "UTC"],
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
        ])
        let window = TimeWindow(
            start: Date(timeIntervalSince1970: 1_799_000_000), end: Date(timeIntervalSince1970: 1_802_000_000))
        let listing = try h.readAll(window: window)
        let instances = listing.items.filter { $0.event.recurrence?.seriesKey == "series00001" }
        #expect(instances.count == 3)
        #expect(Set(instances.map(\.key)).count == 3)
        let closed = listing.items.first { $0.key == deterministicID(100) }
        #expect(closed?.event.start == .allDay(day))
    }

    @Test func attendeeResponseIsRead() throws {
        let h = try GoogleHarness()
        let id = deterministicID(5)
        _ = try h.connector.write([.create(id: id, event: sampleEvent(5, base: testBase))])
        h.server.google!.edit(id) {
            $0["attendees"] = [["email": "c5@example.com", "displayName": "Client 5", "responseStatus": "accepted"]]
        }
        let listing = try h.readAll(window: testWindow)
        #expect(listing.items.first { $0.key == id }?.event.participants.first?.response == .accepted)
    }
}
