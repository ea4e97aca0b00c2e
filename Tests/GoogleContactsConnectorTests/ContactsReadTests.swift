import AlmanacCore
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Testing

@Suite("google_contacts: reading", .serialized, .timeLimit(.minutes(10)))
struct ContactsReadTests {
    @Test func aFullListingFollowsPagesAndEndsWithTheSyncToken() throws {
        let h = try ContactsHarness(pageSize: 100)
        for n in 0..<250 { try h.people.seed(["names": [["givenName": "P\(n)"]]]) }
        let c = h.connector()
        let l = try listAll(c)
        #expect(l.pages == 3)
        #expect(l.items.count == 250)
        #expect(Set(l.items.map(\.key)).count == 250)
        #expect(l.coverages == Array(repeating: .complete(contactsWindow), count: 3))
        #expect(l.cursor != nil)
        #expect(!l.cursorBeforeLastPage)
        let listed = h.calls("GET", "/v1/people/me/connections")
        #expect(listed.count == 3)
        #expect(listed.allSatisfy { $0.query["pageSize"] == ["100"] && $0.query["requestSyncToken"] == ["true"] })
        #expect(listed.dropFirst().allSatisfy { $0.query["pageToken"] != nil })
    }

    @Test func theSyncTokenGivesChangesAndDeletions() throws {
        let h = try ContactsHarness()
        let names = try (0..<5).map { try h.people.seed(["names": [["givenName": "P\($0)"]]]) }
        let c = h.connector()
        let first = try listAll(c)
        #expect(first.items.count == 5)
        try h.people.edit(names[1], ["names": [["givenName": "Renamed"]]])
        h.people.userDelete(names[2])
        let added = try h.people.seed(["names": [["givenName": "New"]]])
        let delta = try listAll(c, cursor: first.cursor)
        #expect(delta.coverages.allSatisfy { $0 == .delta })
        #expect(Set(delta.items.map(\.key)) == [names[1], added])
        #expect(delta.items.first { $0.key == names[1] }?.event.contact?.givenName == "Renamed")
        #expect(delta.deleted == [names[2]])
        #expect(delta.cursor != nil && delta.cursor != first.cursor)
        let again = try listAll(c, cursor: delta.cursor)
        #expect(again.items.isEmpty && again.deleted.isEmpty)
    }

    @Test func anExpiredSyncTokenListsEveryContactAsComplete() throws {
        let h = try ContactsHarness()
        for n in 0..<4 { try h.people.seed(["names": [["givenName": "P\(n)"]]]) }
        let c = h.connector()
        let first = try listAll(c)
        h.people.expireSyncTokens()
        let again = try listAll(c, cursor: first.cursor)
        #expect(again.coverages == [.complete(contactsWindow)])
        #expect(again.items.count == 4)
        #expect(again.deleted.isEmpty)
        #expect(again.cursor != nil)
        let statuses = h.calls("GET", "/v1/people/me/connections").map(\.status)
        #expect(statuses == [200, 400, 200])
    }

    @Test func phonesAreNormalisedWithTheDefaultRegionAndKindsMapped() throws {
        let h = try ContactsHarness()
        let key = try h.people.seed([
            "names": [["givenName": "Ann", "familyName": "Lee"]],
            "phoneNumbers": [
                ["value": "(415) 555-2671", "type": "mobile"], ["value": "+44 20 7946 0958", "type": "workFax"],
                ["value": "call the office", "type": "home"],
            ],
            "emailAddresses": [["value": "ann@example.com", "type": "home"], ["value": "a@x.org", "type": "custom"]],
        ])
        let log = LogCapture()
        let item = try #require(listAll(h.connector(logger: log.logger)).items.first { $0.key == key })
        let contact = try #require(item.event.contact)
        #expect(
            contact.phones == [
                ContactPhone("+14155552671", kind: .mobile), ContactPhone("+442079460958", kind: .other),
                ContactPhone("call the office", kind: .home),
            ])
        #expect(
            contact.emails == [ContactEmail("ann@example.com", kind: .home), ContactEmail("a@x.org", kind: .other)])
        #expect(contact.displayName == nil)
        #expect(item.event.title == "Ann Lee")
        #expect(item.event.start == Contact.envelopeStart)
        // The number kept as given is reported at notice level with the key and the problem id.
        let notices = log.records.filter { $0.level == .notice }
        #expect(notices.map(\.message) == ["phone number kept as given"])
        #expect(notices.first?.metadata["key"] == "\(key)")
        #expect(notices.first?.metadata["problem"] == "phone.letters")
    }

    @Test func testConnectionReportsEachStep() throws {
        let h = try ContactsHarness()
        let report = h.connector().testConnection()
        #expect(report.steps.map(\.name) == ["authorize", "contacts", "groups"])
        #expect(report.ok)
    }
}
