import FakeCalendars
import Foundation
import Testing

/// The People fake's contract for contacts: field masks, paging, sync tokens and their expiry,
/// etags on updates, output-only fields. Plain HTTP calls against a fake on loopback.
@Suite("People fake: contacts", .serialized, .timeLimit(.minutes(10)))
struct PeopleFakeTests {
    @Test func masksAndSizesAreChecked() throws {
        let s = try PeopleFakeSession()
        var a = try s.get("people/me/connections")
        #expect(a.status == 400 && a.errorStatus == "INVALID_ARGUMENT")
        #expect(a.errorMessage?.hasPrefix("personFields mask is required.") == true)
        a = try s.get("people/me/connections?personFields=names,bogus")
        #expect(a.status == 400 && a.errorMessage?.hasPrefix("Invalid personFields mask path: \"bogus\".") == true)
        #expect(try s.get("people/me/connections?personFields=names&pageSize=1001").status == 400)
        #expect(try s.get("people/me/connections?personFields=names&pageSize=-1").status == 400)
        #expect(try s.get("people/me/connections?personFields=names&pageSize=1000").status == 200)
        #expect(try s.get("people/me/connections?personFields=names&sortOrder=SIDEWAYS").status == 400)
        #expect(try s.get("people/someone/connections?personFields=names").status == 404)
        let p = try s.create(["names": [["givenName": "Ada"]]])
        let name = PeopleFakeSession.resourceName(p)
        #expect(try s.get(name).status == 400)
        #expect(try s.get(name + "?personFields=names").json["names"] != nil)
        #expect(try s.call("GET", name + "?personFields=names", authorized: false).errorStatus == "UNAUTHENTICATED")
        // An empty listing leaves the list out, as the People API does.
        let empty = try PeopleFakeSession()
        let none = try empty.get("people/me/connections?personFields=names&requestSyncToken=true")
        #expect(none.status == 200 && none.json["connections"] == nil && none.json["nextSyncToken"] != nil)
    }

    @Test func pagingAndSyncTokenRoundTrip() throws {
        let s = try PeopleFakeSession()
        var names: [String] = []
        for i in 0..<250 { names.append(try s.people.seed(["names": [["givenName": "P\(i)"]]])) }
        let plain = try s.listAll("personFields=names&pageSize=100")
        #expect(plain.pages == [100, 100, 50])
        #expect(plain.last.json["nextSyncToken"] == nil, "a sync token only when asked for")
        let full = try s.listAll("personFields=names,metadata&pageSize=100&requestSyncToken=true")
        #expect(full.pages == [100, 100, 50] && full.earlyTokens == 0)
        #expect(full.last.json["totalItems"] as? Int == 250)
        #expect(Set(full.items.map(PeopleFakeSession.resourceName)) == Set(names))
        let token = try #require(full.last.json["nextSyncToken"] as? String)
        // A page token must come with the parameters of the first call, and can be asked again.
        let first = try s.get("people/me/connections?personFields=names&pageSize=100")
        let pageToken = PeopleFakeSession.encode(try #require(first.json["nextPageToken"] as? String))
        #expect(try s.get("people/me/connections?personFields=emailAddresses&pageToken=\(pageToken)").status == 400)
        let again1 = try s.get("people/me/connections?personFields=names&pageSize=100&pageToken=\(pageToken)")
        let again2 = try s.get("people/me/connections?personFields=names&pageSize=100&pageToken=\(pageToken)")
        #expect((again1.json["connections"] as? [Any])?.count == 100)
        #expect(
            (again1.json["connections"] as? [[String: Any]])?.map(PeopleFakeSession.resourceName)
                == (again2.json["connections"] as? [[String: Any]])?.map(PeopleFakeSession.resourceName))
        // Nothing changed: an empty delta with a new token.
        let sync = "personFields=names&syncToken=\(PeopleFakeSession.encode(token))"
        let quiet = try s.listAll(sync)
        #expect(quiet.items.isEmpty && quiet.last.json["nextSyncToken"] != nil)
        // An edit, a deletion and a creation: exactly those three, the deletion as a tombstone.
        try s.people.edit(names[3], ["names": [["givenName": "Edited"]]])
        s.people.userDelete(names[7])
        let made = try s.create(["names": [["givenName": "New"]]])
        let delta = try s.listAll(sync)
        let byName = Dictionary(uniqueKeysWithValues: delta.items.map { (PeopleFakeSession.resourceName($0), $0) })
        #expect(Set(byName.keys) == [names[3], names[7], PeopleFakeSession.resourceName(made)])
        #expect(PeopleFakeSession.name(byName[names[3]] ?? [:]) == "Edited")
        let tomb = try #require(byName[names[7]])
        #expect((tomb["metadata"] as? [String: Any])?["deleted"] as? Bool == true)
        #expect(tomb["names"] == nil)
        // The delta's token continues from there.
        let next = PeopleFakeSession.encode(try #require(delta.last.json["nextSyncToken"] as? String))
        #expect(try s.listAll("personFields=names&syncToken=\(next)").items.isEmpty)
        // A deleted contact is gone for get, and is not in a full listing.
        #expect(try s.get(names[7] + "?personFields=names").status == 404)
        #expect(try s.listAll("personFields=names&pageSize=1000").items.count == 250)
    }

    @Test func expiredSyncTokensAnswerAsThePeopleAPIDoes() throws {
        let s = try PeopleFakeSession()
        try s.people.seed(["names": [["givenName": "A"]]])
        func token(_ query: String) throws -> String {
            let page = try s.listAll(query)
            return PeopleFakeSession.encode(try #require(page.last.json["nextSyncToken"] as? String))
        }
        let t0 = try token("personFields=names&requestSyncToken=true")
        s.people.expireSyncTokens()
        let a = try s.get("people/me/connections?personFields=names&syncToken=\(t0)")
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION" && a.errorReason == "EXPIRED_SYNC_TOKEN")
        #expect(a.errorMessage == "Sync token is expired. Clear local cache and retry call without the sync token.")
        #expect(try s.get("people/me/connections?personFields=names&syncToken=garbage").status == 400)
        // Tokens expire a lifetime after the full sync their chain started with, not after the delta.
        s.people.syncTokenLifetime = 3
        let t1 = try token("personFields=names&requestSyncToken=true")
        let t2 = try token("personFields=names&syncToken=\(t1)")
        Thread.sleep(forTimeInterval: 3.2)
        #expect(
            try s.get("people/me/connections?personFields=names&syncToken=\(t2)").errorReason == "EXPIRED_SYNC_TOKEN")
        let t3 = try token("personFields=names&requestSyncToken=true")
        #expect(try s.get("people/me/connections?personFields=names&syncToken=\(t3)").status == 200)
    }

    @Test func syncDeltasSeeWritesAfterThePropagationDelay() throws {
        let s = try PeopleFakeSession()
        try s.people.seed(["names": [["givenName": "Old"]]])
        s.people.syncDelay = 0.8
        let full = try s.listAll("personFields=names&requestSyncToken=true")
        let t0 = PeopleFakeSession.encode(try #require(full.last.json["nextSyncToken"] as? String))
        let made = PeopleFakeSession.resourceName(try s.create(["names": [["givenName": "Fresh"]]]))
        // A full listing sees the write at once; a delta does not yet, and its token does not skip it.
        #expect(try s.listAll("personFields=names").items.count == 2)
        let early = try s.listAll("personFields=names&syncToken=\(t0)")
        #expect(early.items.isEmpty)
        let t1 = PeopleFakeSession.encode(try #require(early.last.json["nextSyncToken"] as? String))
        Thread.sleep(forTimeInterval: 1.0)
        let late = try s.listAll("personFields=names&syncToken=\(t1)")
        #expect(late.items.map(PeopleFakeSession.resourceName) == [made])
        #expect(try s.listAll("personFields=names&syncToken=\(t0)").items.map(PeopleFakeSession.resourceName) == [made])
    }

    @Test func batchGetAnswersEachNameApart() throws {
        let s = try PeopleFakeSession()
        let a = try s.people.seed(["names": [["givenName": "A"]]])
        let gone = try s.people.seed(["names": [["givenName": "Gone"]]])
        s.people.userDelete(gone)
        #expect(try s.get("people:batchGet?resourceNames=\(a)").status == 400, "personFields required")
        let tooMany = (0...200).map { "resourceNames=people/c\($0)" }.joined(separator: "&")
        #expect(try s.get("people:batchGet?personFields=names&\(tooMany)").status == 400)
        let r = try s.get("people:batchGet?personFields=names&resourceNames=\(a)&resourceNames=\(gone)")
        let answers = try #require(r.json["responses"] as? [[String: Any]])
        #expect(answers.map { $0["httpStatusCode"] as? Int } == [200, 404])
        #expect(answers.map { $0["requestedResourceName"] as? String } == [a, gone])
        #expect(PeopleFakeSession.name(answers[0]["person"] as? [String: Any] ?? [:]) == "A")
        #expect(answers[1]["person"] == nil)
    }

    @Test func updatesNeedTheCurrentEtag() throws {
        let s = try PeopleFakeSession()
        let p = try s.create([
            "names": [["givenName": "Ada", "familyName": "Lovelace"]],
            "emailAddresses": [["value": "ada@example.com", "type": "work"]],
        ])
        let name = PeopleFakeSession.resourceName(p)
        let etag = try #require(p["etag"] as? String)
        let path = name + ":updateContact"
        var a = try s.call("PATCH", path, ["etag": etag, "names": [["givenName": "Augusta"]]])
        #expect(a.status == 400 && a.errorMessage?.hasPrefix("updatePersonFields mask is required.") == true)
        a = try s.call("PATCH", path + "?updatePersonFields=names", ["names": [["givenName": "Augusta"]]])
        #expect(
            a.status == 400
                && a.errorMessage
                    == "Request must set person.etag or person.metadata.sources.etag for the source that is being updated."
        )
        a = try s.call("PATCH", path + "?updatePersonFields=names", ["etag": "%stale", "names": [["givenName": "X"]]])
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION")
        a = try s.call(
            "PATCH", path + "?updatePersonFields=names",
            ["etag": etag, "names": [["givenName": "A"], ["givenName": "B"]]])
        #expect(a.status == 400, "names is a singleton")
        a = try s.call(
            "PATCH", path + "?updatePersonFields=names", ["etag": etag, "names": [["givenName": "Augusta"]]])
        #expect(a.status == 200 && PeopleFakeSession.name(a.json) == "Augusta")
        // Fields outside the mask are kept; the etag changed; the old one is now stale.
        #expect((a.json["emailAddresses"] as? [[String: Any]])?.first?["value"] as? String == "ada@example.com")
        let etag2 = try #require(a.json["etag"] as? String)
        #expect(etag2 != etag)
        a = try s.call("PATCH", path + "?updatePersonFields=names", ["etag": etag, "names": [["givenName": "Old"]]])
        #expect(a.status == 400 && a.errorStatus == "FAILED_PRECONDITION")
        #expect(PeopleFakeSession.name(s.people.contact(name) ?? [:]) == "Augusta")
        // The contact source's etag is accepted too; a field named in the mask but absent is cleared.
        let got = try s.get(name + "?personFields=metadata")
        let sources = (got.json["metadata"] as? [String: Any])?["sources"] as? [[String: Any]]
        let sourceEtag = try #require(sources?.first?["etag"] as? String)
        a = try s.call(
            "PATCH", path + "?updatePersonFields=emailAddresses&personFields=names,emailAddresses",
            ["metadata": ["sources": [["type": "CONTACT", "etag": sourceEtag]]]])
        #expect(a.status == 200 && a.json["emailAddresses"] == nil && PeopleFakeSession.name(a.json) == "Augusta")
        #expect(try s.call("PATCH", "people/c1:updateContact?updatePersonFields=names", ["etag": "x"]).status == 404)
        #expect(try s.call("DELETE", name + ":deleteContact").status == 200)
        #expect(try s.call("DELETE", name + ":deleteContact").status == 404)
    }

    @Test func outputOnlyFieldsAreFilledIn() throws {
        let s = try PeopleFakeSession()
        let p = try s.create(
            [
                "names": [["givenName": "Grace", "familyName": "Hopper", "displayName": "ignored"]],
                "phoneNumbers": [
                    ["value": "(415) 555-2671", "type": "mobile"], ["value": "call me", "type": "workMobile"],
                ],
                "addresses": [["streetAddress": "1 Main St", "city": "Arlington", "type": "home"]],
                "birthdays": [["date": ["year": 1906, "month": 12, "day": 9]]],
                "biographies": [["value": "Admiral", "contentType": "TEXT_PLAIN"]],
                "organizations": [["name": "US Navy", "title": "Rear Admiral"]],
                "userDefined": [["key": "client_no", "value": "42"]],
                "clientData": [["key": "almanac.origin", "value": "db:42"]],
            ],
            fields:
                "names,phoneNumbers,addresses,birthdays,biographies,organizations,userDefined,clientData,memberships")
        let name = try #require((p["names"] as? [[String: Any]])?.first)
        #expect(name["displayName"] as? String == "Grace Hopper")
        #expect(name["displayNameLastFirst"] as? String == "Hopper, Grace")
        #expect((name["metadata"] as? [String: Any])?["primary"] as? Bool == true)
        let phones = try #require(p["phoneNumbers"] as? [[String: Any]])
        #expect(
            phones[0]["canonicalForm"] as? String == "+14155552671" && phones[0]["formattedType"] as? String == "Mobile"
        )
        #expect(phones[1]["canonicalForm"] == nil && phones[1]["formattedType"] as? String == "Work Mobile")
        #expect((p["addresses"] as? [[String: Any]])?.first?["formattedValue"] as? String == "1 Main St\nArlington")
        #expect(((p["birthdays"] as? [[String: Any]])?.first?["date"] as? [String: Any])?["year"] as? Int == 1906)
        #expect((p["clientData"] as? [[String: Any]])?.first?["value"] as? String == "db:42")
        #expect((p["userDefined"] as? [[String: Any]])?.first?["key"] as? String == "client_no")
        let groups = (p["memberships"] as? [[String: Any]])?.compactMap {
            ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
        }
        #expect(groups == ["contactGroups/myContacts"])
        // Only the fields asked for come back.
        let only = try s.get(PeopleFakeSession.resourceName(p) + "?personFields=clientData")
        #expect(Set(only.json.keys) == ["resourceName", "etag", "clientData"])
        #expect(try s.create(["names": [["givenName": "A"], ["givenName": "B"]]])["error"] != nil)
        #expect(
            try s.create([
                "memberships": [["contactGroupMembership": ["contactGroupResourceName": "contactGroups/nope"]]]
            ])[
                "error"] != nil)
    }
}
