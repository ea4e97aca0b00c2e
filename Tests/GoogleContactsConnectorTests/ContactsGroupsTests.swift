import AlmanacCore
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Testing

@Suite("google_contacts: contact groups", .serialized, .timeLimit(.minutes(10)))
struct ContactsGroupsTests {
    @Test func groupsAreCreatedOnDemandAndMembershipsGoBothWays() throws {
        let h = try ContactsHarness()
        let c = h.connector()
        let outcomes = try c.write([createChange(1, groups: ["Google Sync"]), createChange(2)])
        guard case .written(let key1, let v1) = outcomes[0], case .written(let key2, _) = outcomes[1] else {
            Issue.record("not written: \(outcomes)")
            return
        }
        let groups = h.people.groups()
        #expect(Array(groups.keys) == ["Google Sync"])
        #expect(h.calls("POST", "/v1/contactGroups").count == 1)
        #expect(groupNames(of: try #require(h.people.contact(key1)), in: groups) == ["Google Sync"])
        // System groups (myContacts) are not listed as the contact's groups.
        let first = try listAll(c)
        #expect(first.items.first { $0.key == key1 }?.event.contact?.groups == ["Google Sync"])
        #expect(first.items.first { $0.key == key2 }?.event.contact?.groups == [String]())

        // Toward Google: an update moves contact 1 from "Google Sync" to "VIP" (made on demand).
        let moved = try c.write([.update(key: key1, ifVersion: v1, event: client(1, groups: ["VIP"]).envelope())])
        guard case .written(_, let v1b) = moved[0] else {
            Issue.record("not written: \(moved)")
            return
        }
        let after = h.people.groups()
        #expect(Set(after.keys) == ["Google Sync", "VIP"])
        #expect(groupNames(of: try #require(h.people.contact(key1)), in: after) == ["VIP"])
        let modify = h.server.log.all.filter { $0.path.hasSuffix("/members:modify") }
        #expect(modify.count == 2)
        // The version returned is the contact's etag after the membership change.
        #expect(v1b == h.people.contact(key1)?["etag"] as? String)

        // From Google: the user puts contact 2 into "Google Sync"; the delta says so.
        h.people.setMembership(key2, group: "Google Sync", member: true)
        let delta = try listAll(c, cursor: first.cursor)
        let got = delta.items.filter { $0.key == key2 }
        #expect(got.count == 1)
        #expect(got.first?.event.contact?.groups == ["Google Sync"])
        // A group the user made in Google Contacts after the connector listed the groups.
        h.people.setMembership(key2, group: "Made On The Phone", member: true)
        let delta2 = try listAll(c, cursor: delta.cursor)
        #expect(delta2.items.first { $0.key == key2 }?.event.contact?.groups == ["Google Sync", "Made On The Phone"])
    }

    /// A contact whose groups became none leaves its user groups, even when this run listed no
    /// group before; it stays in My Contacts.
    @Test func aContactWithNoGroupsLeavesItsUserGroups() throws {
        let h = try ContactsHarness()
        let created = try h.connector().write([createChange(3, groups: ["Google Sync", "VIP"])])
        guard case .written(let key, let version) = created[0] else {
            Issue.record("not written: \(created)")
            return
        }
        #expect(groupNames(of: try #require(h.people.contact(key)), in: h.people.groups()) == ["Google Sync", "VIP"])
        let outcomes = try h.connector().write([.update(key: key, ifVersion: version, event: client(3).envelope())])
        guard case .written = outcomes[0] else {
            Issue.record("not written: \(outcomes)")
            return
        }
        let person = try #require(h.people.contact(key))
        #expect(groupNames(of: person, in: h.people.groups()) == [])
        let all = (person["memberships"] as? [[String: Any]] ?? []).compactMap {
            ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
        }
        #expect(all == ["contactGroups/myContacts"])
    }
}
