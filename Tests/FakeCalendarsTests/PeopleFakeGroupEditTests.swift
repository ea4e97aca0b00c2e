import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// The People fake's `contactGroups.update` (a rename with an etag check) and
/// `contactGroups.batchGet`, asserted on the answers, the fake's state and its request log.
@Suite("People fake: group update and batchGet", .serialized, .timeLimit(.minutes(10)))
struct PeopleFakeGroupEditTests {
    @Test func updateRenamesWithAnEtagCheck() throws {
        let s = try PeopleFakeSession()
        let made = try s.call("POST", "contactGroups", ["contactGroup": ["name": "Google Sync"]]).json
        let rn = try #require(made["resourceName"] as? String)
        let etag = try #require(made["etag"] as? String)
        _ = try s.call("POST", "contactGroups", ["contactGroup": ["name": "VIP"]])
        let person = try s.create(["names": [["givenName": "Ann"]]])
        let ann = PeopleFakeSession.resourceName(person)
        s.people.setMembership(ann, group: "Google Sync", member: true)
        let annEtag = s.people.contact(ann)?["etag"] as? String

        // A stale etag, a name taken, an empty name, a system group: refused, nothing changed.
        var a = try s.call("PUT", rn, ["contactGroup": ["etag": "%stale", "name": "Old Sync"]])
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION")
        a = try s.call("PUT", rn, ["contactGroup": ["name": "Old Sync"]])
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION")
        a = try s.call("PUT", rn, ["contactGroup": ["etag": etag, "name": "VIP"]])
        #expect(a.status == 409 && a.errorStatus == "ALREADY_EXISTS")
        a = try s.call("PUT", rn, ["contactGroup": ["etag": etag, "name": " "]])
        #expect(a.status == 400 && a.errorMessage == "Contact group name must not be empty.")
        a = try s.call("PUT", "contactGroups/starred", ["contactGroup": ["etag": etag, "name": "Stars"]])
        #expect(a.status == 400 && a.errorMessage == "Cannot update a system contact group.")
        a = try s.call("PUT", "contactGroups/nope", ["contactGroup": ["etag": etag, "name": "X"]])
        #expect(a.status == 404)
        #expect(Set(s.people.groups().keys) == ["Google Sync", "VIP"])

        // The current etag: renamed, a new etag; the member stays, its etag unchanged.
        a = try s.call("PUT", rn, ["contactGroup": ["etag": etag, "name": "Old Sync"], "readGroupFields": "name"])
        #expect(a.status == 200, "\(a.json)")
        #expect(a.json["name"] as? String == "Old Sync" && a.json["resourceName"] as? String == rn)
        let newEtag = try #require(a.json["etag"] as? String)
        #expect(newEtag != etag)
        #expect(s.people.groups() == ["Old Sync": rn, "VIP": s.people.groups()["VIP"]!])
        #expect(s.people.contact(ann)?["etag"] as? String == annEtag)
        let members = try s.get("\(rn)?maxMembers=10").json["memberResourceNames"] as? [String]
        #expect(members == [ann])
        // The old etag is stale now.
        a = try s.call("PUT", rn, ["contactGroup": ["etag": etag, "name": "Again"]])
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION")
        // clientData changes only when updateGroupFields names it.
        a = try s.call(
            "PUT", rn,
            [
                "contactGroup": ["etag": newEtag, "clientData": [["key": "k", "value": "v"]]],
                "updateGroupFields": "clientData", "readGroupFields": "name,clientData",
            ])
        #expect(a.status == 200)
        #expect(a.json["name"] as? String == "Old Sync")
        #expect((a.json["clientData"] as? [[String: String]]) == [["key": "k", "value": "v"]])

        let puts = s.server.log.all.filter { $0.method == "PUT" }
        #expect(puts.map(\.status) == [400, 400, 409, 400, 400, 404, 200, 400, 200])
        #expect(puts.allSatisfy { $0.path.hasPrefix("/v1/contactGroups/") })
    }

    @Test func batchGetAnswersEachNameInOrder() throws {
        let s = try PeopleFakeSession()
        let vip = try #require(
            try s.call("POST", "contactGroups", ["contactGroup": ["name": "VIP"]]).json["resourceName"] as? String)
        let person = try s.create(["names": [["givenName": "Ann"]]])
        s.people.setMembership(PeopleFakeSession.resourceName(person), group: "VIP", member: true)
        var a = try s.get(
            "contactGroups:batchGet?resourceNames=\(vip)&resourceNames=contactGroups/gone"
                + "&resourceNames=contactGroups/myContacts&groupFields=name,memberCount&maxMembers=5")
        #expect(a.status == 200, "\(a.json)")
        let responses = try #require(a.json["responses"] as? [[String: Any]])
        #expect(
            responses.map { $0["requestedResourceName"] as? String } == [
                vip, "contactGroups/gone", "contactGroups/myContacts",
            ])
        let first = try #require(responses[0]["contactGroup"] as? [String: Any])
        #expect(first["name"] as? String == "VIP" && first["memberCount"] as? Int == 1)
        #expect(first["memberResourceNames"] as? [String] == [PeopleFakeSession.resourceName(person)])
        #expect((responses[1]["status"] as? [String: Any])?["code"] as? Int == 5)
        #expect(responses[1]["contactGroup"] == nil)
        #expect((responses[2]["contactGroup"] as? [String: Any])?["name"] != nil)

        a = try s.get("contactGroups:batchGet")
        #expect(a.status == 400 && a.errorMessage == "resourceNames must not be empty.")
        let many = (0...200).map { "resourceNames=contactGroups/g\($0)" }.joined(separator: "&")
        a = try s.get("contactGroups:batchGet?" + many)
        #expect(a.status == 400 && a.errorMessage == "Too many resource names in request. Limit is 200.")
        a = try s.get("contactGroups:batchGet?resourceNames=\(vip)&groupFields=bogus")
        #expect(a.status == 400)

        let logged = s.server.log.all.filter { $0.path == "/v1/contactGroups:batchGet" }
        #expect(logged.map(\.status) == [200, 400, 400, 400])
        #expect(logged.first?.query["resourceNames"]?.count == 3)
    }
}
