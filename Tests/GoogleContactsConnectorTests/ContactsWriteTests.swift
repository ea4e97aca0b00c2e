import AlmanacCore
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Testing

@Suite("google_contacts: writing", .serialized, .timeLimit(.minutes(10)))
struct ContactsWriteTests {
    @Test func everyFieldRoundTripsWithTheOriginStamp() throws {
        let h = try ContactsHarness()
        let c = h.connector()
        var full = client(7, groups: ["Google Sync"])
        full.displayName = "Dr. Given7 Family7"
        full.phones.append(ContactPhone("+14155550000", kind: .home))
        let outcomes = try c.write([.create(id: stampID(7), event: full.envelope())])
        guard case .written(let key, let version) = outcomes.first else {
            Issue.record("not written: \(outcomes)")
            return
        }
        #expect(version != nil)
        let item = try #require(listAll(h.connector()).items.first { $0.key == key })
        #expect(content(item) == full)
        #expect(item.event.origin == stampID(7))
        #expect(item.version == version)
        #expect(stamp(of: try #require(h.people.contact(key))) == stampID(7))
    }

    @Test func twoHundredFiftyCreatesAreTwoCallsAndSixHundredDeletesTwo() throws {
        let h = try ContactsHarness()
        let c = h.connector()
        let outcomes = try c.write((0..<600).map { createChange($0) })
        let keys = outcomes.compactMap { o -> String? in
            if case .written(let key, _) = o { return key }
            return nil
        }
        #expect(keys.count == 600)
        #expect(Set(keys).count == 600)
        let creates = h.calls("POST", "/v1/people:batchCreateContacts")
        #expect(creates.count == 3)
        #expect(h.people.contacts().count == 600)

        h.server.log.clear()
        let two = try h.connector().write((600..<850).map { createChange($0) })
        #expect(two.allSatisfy { if case .written = $0 { return true } else { return false } })
        #expect(h.calls("POST", "/v1/people:batchCreateContacts").count == 2)

        h.server.log.clear()
        let deletes = try c.write(keys.map { Change.delete(key: $0, ifVersion: nil) })
        #expect(deletes.allSatisfy { if case .written = $0 { return true } else { return false } })
        #expect(h.calls("POST", "/v1/people:batchDeleteContacts").count == 2)
        #expect(h.people.contacts().count == 250)
    }

    @Test func aStaleEtagIsAConflictAndTheOthersAreWritten() throws {
        let h = try ContactsHarness()
        let c = h.connector()
        let created = try c.write((0..<3).map { createChange($0) })
        let written = created.compactMap { o -> (String, String?)? in
            if case .written(let k, let v) = o { return (k, v) }
            return nil
        }
        #expect(written.count == 3)
        try h.people.edit(written[1].0, ["biographies": [["value": "edited on the phone"]]])
        var changed = client(0)
        changed.notes = "edited in the database"
        let outcomes = try c.write(
            written.enumerated().map { n, w in
                var x = client(n)
                x.notes = "edited in the database"
                return .update(key: w.0, ifVersion: w.1, event: x.envelope())
            })
        guard case .conflict(let current?) = outcomes[1] else {
            Issue.record("expected a conflict: \(outcomes[1])")
            return
        }
        #expect(current.key == written[1].0)
        #expect(current.event.contact?.notes == "edited on the phone")
        #expect(current.event.origin == stampID(1))
        for n in [0, 2] {
            guard case .written(let key, let version) = outcomes[n] else {
                Issue.record("not written: \(outcomes[n])")
                continue
            }
            #expect(key == written[n].0)
            #expect(version != written[n].1)
            #expect(h.people.contact(key)?["biographies"].map { "\($0)" }?.contains("edited in the database") == true)
            // An update without an origin keeps the stamp the create wrote.
            #expect(stamp(of: try #require(h.people.contact(key))) == stampID(n))
        }
        #expect(changed.notes == "edited in the database")
    }

    @Test func aDeleteOfAContactChangedSinceIsAConflictAndAGoneOneIsGone() throws {
        let h = try ContactsHarness()
        let c = h.connector()
        let written = try c.write((0..<3).map { createChange($0) }).compactMap { o -> (String, String?)? in
            if case .written(let k, let v) = o { return (k, v) }
            return nil
        }
        try h.people.edit(written[0].0, ["biographies": [["value": "edited"]]])
        h.people.userDelete(written[1].0)
        let outcomes = try c.write(written.map { .delete(key: $0.0, ifVersion: $0.1) })
        guard case .conflict(let current?) = outcomes[0] else {
            Issue.record("expected a conflict: \(outcomes[0])")
            return
        }
        #expect(current.event.contact?.notes == "edited")
        #expect(outcomes[1] == .gone)
        #expect(outcomes[2] == .written(key: written[2].0, version: nil))
        #expect(h.people.contacts().map { $0["resourceName"] as? String } == [written[0].0])
    }

    @Test func anUpdateOfADeletedContactIsGone() throws {
        let h = try ContactsHarness()
        let c = h.connector()
        let written = try c.write((0..<2).map { createChange($0) }).compactMap { o -> (String, String?)? in
            if case .written(let k, let v) = o { return (k, v) }
            return nil
        }
        h.people.userDelete(written[0].0)
        let outcomes = try c.write(written.map { .update(key: $0.0, ifVersion: $0.1, event: client(9).envelope()) })
        #expect(outcomes[0] == .gone)
        guard case .written(let key, _) = outcomes[1] else {
            Issue.record("not written: \(outcomes[1])")
            return
        }
        #expect(key == written[1].0)
        let names = h.people.contact(key)?["names"] as? [[String: Any]]
        #expect(names?.first?["givenName"] as? String == "Given9")
    }

    @Test func writeBacksAreRefused() throws {
        let h = try ContactsHarness()
        let outcomes = try h.connector().write([.confirm(key: "people/c1", event: client(1).envelope())])
        #expect(
            outcomes == [.failed(retryable: false, reason: "the google_contacts connector does not take write-backs")])
    }
}
