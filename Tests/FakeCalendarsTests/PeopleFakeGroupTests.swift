import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// The People fake's batch limits, contact groups, quota, faults and admin calls.
@Suite("People fake: batches, groups, quota", .serialized, .timeLimit(.minutes(10)))
struct PeopleFakeGroupTests {
    static func contacts(_ n: Int, from: Int = 0) -> [[String: Any]] {
        (from..<(from + n)).map { ["contactPerson": ["names": [["givenName": "B\($0)"]]]] }
    }

    @Test func batchLimitsAndAllOrNothing() throws {
        let s = try PeopleFakeSession()
        var a = try s.call("POST", "people:batchCreateContacts", ["contacts": Self.contacts(201), "readMask": "names"])
        #expect(a.status == 400 && a.errorMessage == "Too many contacts in request. Limit is 200.")
        #expect(s.people.contacts().isEmpty)
        #expect(try s.call("POST", "people:batchCreateContacts", ["contacts": [], "readMask": "names"]).status == 400)
        a = try s.call("POST", "people:batchCreateContacts", ["contacts": Self.contacts(200), "readMask": "names"])
        let created = try #require(a.json["createdPeople"] as? [[String: Any]])
        #expect(created.count == 200 && created.allSatisfy { $0["httpStatusCode"] as? Int == 200 })
        let people = created.compactMap { $0["person"] as? [String: Any] }
        #expect(people.map { PeopleFakeSession.name($0) ?? "" } == (0..<200).map { "B\($0)" })
        #expect(s.people.contacts().count == 200)
        // Without a read mask the answer carries only names and etags.
        a = try s.call("POST", "people:batchCreateContacts", ["contacts": Self.contacts(1, from: 900)])
        let bare = try #require((a.json["createdPeople"] as? [[String: Any]])?.first?["person"] as? [String: Any])
        #expect(Set(bare.keys) == ["resourceName", "etag"])

        func updates(_ list: [[String: Any]], etag: (Int) -> String?) -> [String: Any] {
            var map: [String: Any] = [:]
            for (i, p) in list.enumerated() {
                var person: [String: Any] = ["names": [["givenName": "U\(i)"]]]
                person["etag"] = etag(i) ?? p["etag"]
                map[PeopleFakeSession.resourceName(p)] = person
            }
            return map
        }
        let tooMany = updates(people + [bare], etag: { _ in nil })
        a = try s.call(
            "POST", "people:batchUpdateContacts", ["contacts": tooMany, "updateMask": "names", "readMask": "names"])
        #expect(a.status == 400 && a.errorMessage == "Too many contacts in request. Limit is 200.")
        let first10 = Array(people.prefix(10))
        a = try s.call(
            "POST", "people:batchUpdateContacts",
            [
                "contacts": updates(first10, etag: { $0 == 4 ? "%stale" : nil }), "updateMask": "names",
                "readMask": "names",
            ])
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION")
        #expect(a.errorMessage?.hasPrefix(PeopleFakeSession.resourceName(first10[4]) + ": ") == true)
        let renamed = s.people.contacts().filter { (PeopleFakeSession.name($0) ?? "").hasPrefix("U") }
        #expect(renamed.isEmpty, "nothing updated")
        a = try s.call(
            "POST", "people:batchUpdateContacts",
            ["contacts": updates(first10, etag: { _ in nil }), "readMask": "names"])
        #expect(a.status == 400 && a.errorMessage?.hasPrefix("updateMask mask is required.") == true)
        a = try s.call(
            "POST", "people:batchUpdateContacts",
            ["contacts": updates(first10, etag: { _ in nil }), "updateMask": "names", "readMask": "names"])
        let result = try #require(a.json["updateResult"] as? [String: [String: Any]])
        #expect(result.count == 10)
        #expect(
            PeopleFakeSession.name(
                result[PeopleFakeSession.resourceName(first10[4])]?["person"] as? [String: Any] ?? [:]) == "U4")

        let names = people.map(PeopleFakeSession.resourceName)
        a = try s.call("POST", "people:batchDeleteContacts", ["resourceNames": names + names + names])
        #expect(a.status == 400 && a.errorMessage == "Too many resource names in request. Limit is 500.")
        a = try s.call(
            "POST", "people:batchDeleteContacts", ["resourceNames": Array(names.prefix(5)) + ["people/c404"]])
        #expect(a.status == 404 && s.people.contacts().count == 201, "nothing deleted")
        a = try s.call("POST", "people:batchDeleteContacts", ["resourceNames": names])
        #expect(a.status == 200 && s.people.contacts().count == 1)
        #expect(try s.call("POST", "people:batchDeleteContacts", ["resourceNames": [names[0]]]).status == 404)
    }

    @Test func groupsAndMembership() throws {
        let s = try PeopleFakeSession()
        var a = try s.call("POST", "contactGroups", ["contactGroup": ["name": "Google Sync"]])
        #expect(a.status == 200 && a.json["groupType"] as? String == "USER_CONTACT_GROUP")
        let group = try #require(a.json["resourceName"] as? String)
        #expect(try s.call("POST", "contactGroups", ["contactGroup": ["name": "Google Sync"]]).status == 409)
        #expect(try s.call("POST", "contactGroups", ["contactGroup": ["name": "My Contacts"]]).status == 409)
        #expect(try s.call("POST", "contactGroups", ["contactGroup": ["name": " "]]).status == 400)
        let listing = try s.get("contactGroups?groupFields=name,groupType")
        let all = (listing.json["contactGroups"] as? [[String: Any]] ?? []).compactMap { $0["resourceName"] as? String }
        #expect(all.contains("contactGroups/myContacts") && all.contains(group))
        let groupToken = PeopleFakeSession.encode(try #require(listing.json["nextSyncToken"] as? String))

        let a1 = PeopleFakeSession.resourceName(try s.create(["names": [["givenName": "One"]]]))
        let a2 = PeopleFakeSession.resourceName(try s.create(["names": [["givenName": "Two"]]]))
        let only = PeopleFakeSession.resourceName(
            try s.create([
                "names": [["givenName": "Only"]],
                "memberships": [["contactGroupMembership": ["contactGroupResourceName": group]]],
            ]))
        let before = try s.get(a1 + "?personFields=memberships").json["etag"] as? String
        a = try s.call(
            "POST", group + "/members:modify",
            ["resourceNamesToAdd": [a1, a2, "people/c404"], "resourceNamesToRemove": [only]])
        #expect(a.status == 200)
        #expect(a.json["notFoundResourceNames"] as? [String] == ["people/c404"])
        #expect(a.json["canNotRemoveLastContactGroupResourceNames"] as? [String] == [only])
        let after = try s.get(a1 + "?personFields=memberships")
        #expect(after.json["etag"] as? String != before, "a membership change is a change of the contact")
        a = try s.get(group.dropFirst(0) + "?maxMembers=10")
        #expect(a.json["memberCount"] as? Int == 3)
        #expect(Set(a.json["memberResourceNames"] as? [String] ?? []) == [a1, a2, only])
        #expect(try s.get(group).json["memberResourceNames"] == nil, "members only with maxMembers")
        #expect(
            try s.call("POST", "contactGroups/friends/members:modify", ["resourceNamesToAdd": [a1]]).status == 400)
        #expect(
            try s.call("POST", "contactGroups/myContacts/members:modify", ["resourceNamesToAdd": [only]]).status == 200)
        let tooMany = (0..<1_001).map { "people/c\($0)" }
        #expect(try s.call("POST", group + "/members:modify", ["resourceNamesToAdd": tooMany]).status == 400)
        a = try s.call("POST", group + "/members:modify", ["resourceNamesToRemove": [a2]])
        #expect(try s.get(group).json["memberCount"] as? Int == 2)

        #expect(try s.call("DELETE", "contactGroups/myContacts").status == 400)
        #expect(try s.call("DELETE", group).status == 200)
        #expect(try s.get(group).status == 404)
        #expect(s.people.contact(a1) != nil, "deleting a group keeps its contacts")
        let groupsOfA1 = (s.people.contact(a1)?["memberships"] as? [[String: Any]])?.compactMap {
            ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
        }
        #expect(groupsOfA1 == ["contactGroups/myContacts"])
        let delta = try s.get("contactGroups?syncToken=\(groupToken)")
        let deleted = (delta.json["contactGroups"] as? [[String: Any]] ?? []).first {
            $0["resourceName"] as? String == group
        }
        #expect((deleted?["metadata"] as? [String: Any])?["deleted"] as? Bool == true)
    }

    @Test func quotaAndFaultsAnswerInThePeopleShape() throws {
        let s = try PeopleFakeSession()
        s.people.quota = PeopleQuota(readsPerWindow: 3, writesPerWindow: 0, window: 60)
        for _ in 0..<3 { #expect(try s.get("people/me/connections?personFields=names").status == 200) }
        let refused = try s.get("people/me/connections?personFields=names")
        #expect(refused.status == 429 && refused.errorStatus == "RESOURCE_EXHAUSTED")
        #expect(refused.errorReason == "RATE_LIMIT_EXCEEDED")
        let wait = try #require(refused.headers["retry-after"].flatMap(Int.init))
        #expect((1...60).contains(wait))
        #expect(s.server.log.all.last?.retryAfter == wait)
        #expect(try s.create(["names": [["givenName": "W"]]])["resourceName"] != nil, "writes count apart")
        s.people.quota = PeopleQuota(readsPerWindow: 2, window: 0.5)
        #expect(try s.get("people/me/connections?personFields=names").status == 200)
        #expect(try s.get("people/me/connections?personFields=names").status == 200)
        #expect(try s.get("people/me/connections?personFields=names").status == 429)
        Thread.sleep(forTimeInterval: 0.6)
        #expect(try s.get("people/me/connections?personFields=names").status == 200, "the window moved on")
        s.people.quota = PeopleQuota()

        s.server.injectOnce(.tooManyRequests, pathPrefix: "/v1/people")
        var a = try s.get("people/me/connections?personFields=names")
        #expect(a.status == 429 && a.errorStatus == "RESOURCE_EXHAUSTED" && a.headers["retry-after"] == "1")
        s.server.injectOnce(.rateLimited, pathPrefix: "/v1/people")
        #expect(try s.get("people/me/connections?personFields=names").status == 429, "no 403 rate limit in People")
        s.server.injectOnce(.internalError, pathPrefix: "/v1/contactGroups")
        a = try s.get("contactGroups")
        #expect(a.status == 500 && a.errorStatus == "INTERNAL")
        s.server.injectOnce(.unavailable, pathPrefix: "/v1/people")
        #expect(try s.get("people/me/connections?personFields=names").errorStatus == "UNAVAILABLE")
        let log = s.server.log.all.suffix(4)
        #expect(log.map(\.fault) == [.tooManyRequests, .rateLimited, .internalError, .unavailable])
        #expect(log.map(\.status) == [429, 429, 500, 503])
    }

    @Test func adminCallsActAsTheContactsUser() throws {
        let s = try PeopleFakeSession()
        func admin(_ method: String, _ path: String, _ body: Any? = nil) throws -> [String: Any] {
            let url = s.server.baseURL + "/_fake/people/" + path
            let r = try s.http.send(
                try body.map { try HTTPRequest.json(method, url, $0) } ?? HTTPRequest(method: method, url: url))
            return r.jsonObject ?? ["status": r.status]
        }
        let seeded = try admin("POST", "seed?group=Google%20Sync", ["names": [["givenName": "Seeded"]]])
        let name = try #require(seeded["resourceName"] as? String)
        #expect(s.people.groups()["Google Sync"] != nil)
        let group = s.people.groups()["Google Sync"]!
        #expect(try s.get(group + "?maxMembers=5").json["memberResourceNames"] as? [String] == [name])
        _ = try admin("POST", "edit?resourceName=\(name)", ["phoneNumbers": [["value": "+44 20 7946 0958"]]])
        let phone = (s.people.contact(name)?["phoneNumbers"] as? [[String: Any]])?.first
        #expect(phone?["canonicalForm"] as? String == "+442079460958")
        _ = try admin("POST", "membership?resourceName=\(name)&group=Google%20Sync&remove=true")
        #expect(try s.get(group).json["memberCount"] as? Int == 0)
        let listed = try admin("GET", "contacts")["people"] as? [[String: Any]]
        #expect(listed?.map(PeopleFakeSession.resourceName) == [name])
        _ = try admin("POST", "delete?resourceName=\(name)")
        #expect(s.people.contact(name) == nil)
        #expect((try admin("GET", "contacts?deleted=true")["people"] as? [Any])?.count == 1)
        #expect(try admin("POST", "quota?reads=x")["error"] != nil)
        _ = try admin("POST", "quota?reads=1&window=30")
        #expect(s.people.quota == PeopleQuota(readsPerWindow: 1, writesPerWindow: 0, window: 30))
        _ = try admin("POST", "sync-token-lifetime?seconds=5")
        #expect(s.people.syncTokenLifetime == 5)
        #expect(try admin("POST", "seed", ["names": [["givenName": "A"], ["givenName": "B"]]])["error"] != nil)
        let many = try admin(
            "POST", "seed?group=Bulk", ["people": (0..<50).map { ["names": [["givenName": "M\($0)"]]] }])
        let names = try #require(many["resourceNames"] as? [String])
        #expect(names.count == 50 && Set(names).count == 50)
        #expect(PeopleFakeSession.name(s.people.contact(names[49]) ?? [:]) == "M49")
        #expect(try s.get(s.people.groups()["Bulk"]!).json["memberCount"] as? Int == 50)
    }

    @Test func stateSurvivesASnapshot() throws {
        let s = try PeopleFakeSession()
        let name = try s.people.seed(["names": [["givenName": "Kept"]]], groups: ["Google Sync"])
        let gone = try s.people.seed(["names": [["givenName": "Gone"]]])
        s.people.userDelete(gone)
        let saved = try JSONSerialization.jsonObject(with: JSONSerialization.data(withJSONObject: s.people.snapshot()))
        let restored = try PeopleFakeSession()
        restored.people.restore(try #require(saved as? [String: Any]))
        #expect(restored.people.contact(name)?["etag"] as? String == s.people.contact(name)?["etag"] as? String)
        #expect(PeopleFakeSession.name(restored.people.contact(name) ?? [:]) == "Kept")
        #expect(restored.people.contact(gone) == nil && restored.people.contacts(includeDeleted: true).count == 2)
        #expect(restored.people.groups() == s.people.groups())
        // New contacts after a restore get new ids and etags.
        let made = try restored.create(["names": [["givenName": "After"]]])
        #expect(![name, gone].contains(PeopleFakeSession.resourceName(made)))
    }
}
