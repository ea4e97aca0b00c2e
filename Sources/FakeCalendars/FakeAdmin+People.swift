import Foundation

extension FakeAdmin {
    /// The People fake's admin endpoints under `/_fake/people/` (listed in
    /// `Sources/FakeCalendars/README.md`): what a Google Contacts user does, and its settings.
    func peopleAdmin(_ r: FakeRequest, _ people: PeopleFake) -> FakeResponse {
        switch (r.method, r.path) {
        case ("GET", "/_fake/people/contacts"):
            return .json(200, ["people": people.contacts(includeDeleted: r.flag("deleted"))])
        case ("GET", "/_fake/people/groups"):
            return .json(200, ["groups": people.groups()])
        case ("POST", "/_fake/people/seed"):
            guard let body = r.jsonObject else { return .json(400, ["error": "JSON object body required"]) }
            do {
                // `{"people": [Person, …]}` seeds many at once (answers their names in order).
                if let many = body["people"] as? [Any] {
                    let persons = many.compactMap { $0 as? [String: Any] }
                    guard persons.count == many.count else { return .json(400, ["error": "people: Person objects"]) }
                    let names = try persons.map { try people.seed($0, groups: r.params("group")) }
                    return .json(200, ["resourceNames": names])
                }
                return .json(200, ["resourceName": try people.seed(body, groups: r.params("group"))])
            } catch let m as PeoplePerson.Message {
                return .json(400, ["error": m.text])
            } catch {
                return .json(400, ["error": "\(error)"])
            }
        case ("POST", "/_fake/people/edit"):
            guard let name = r.param("resourceName"), people.contact(name) != nil else {
                return .json(404, ["error": "resourceName of a live contact required"])
            }
            guard let body = r.jsonObject else { return .json(400, ["error": "JSON object body required"]) }
            do {
                try people.edit(name, body)
            } catch let m as PeoplePerson.Message {
                return .json(400, ["error": m.text])
            } catch {
                return .json(400, ["error": "\(error)"])
            }
            return .json(200, ["ok": true])
        case ("POST", "/_fake/people/delete"):
            guard let name = r.param("resourceName"), people.contact(name) != nil else {
                return .json(404, ["error": "resourceName of a live contact required"])
            }
            people.userDelete(name)
            return .json(200, ["ok": true])
        case ("POST", "/_fake/people/membership"):
            guard let name = r.param("resourceName"), let group = r.param("group"), people.contact(name) != nil else {
                return .json(404, ["error": "resourceName of a live contact and group required"])
            }
            people.setMembership(name, group: group, member: !r.flag("remove"))
            return .json(200, ["ok": true])
        case ("POST", "/_fake/people/quota"):
            // Absent: 0 (unlimited) and a 60-second window; not a number: refused.
            let reads = r.param("reads").map { Int($0) ?? -1 } ?? 0
            let writes = r.param("writes").map { Int($0) ?? -1 } ?? 0
            let window = r.param("window").map { Double($0) ?? 0 } ?? 60
            guard reads >= 0, writes >= 0, window > 0 else {
                return .json(400, ["error": "reads and writes are counts (0 = unlimited), window seconds > 0"])
            }
            people.quota = PeopleQuota(readsPerWindow: reads, writesPerWindow: writes, window: window)
            return .json(200, ["ok": true])
        case ("POST", "/_fake/people/sync-delay"):
            guard let seconds = r.param("seconds").flatMap(Double.init), seconds >= 0 else {
                return .json(400, ["error": "seconds required"])
            }
            people.syncDelay = seconds
            return .json(200, ["ok": true])
        case ("POST", "/_fake/people/sync-token-lifetime"):
            guard let seconds = r.param("seconds").flatMap(Double.init), seconds >= 0 else {
                return .json(400, ["error": "seconds required"])
            }
            people.syncTokenLifetime = seconds
            return .json(200, ["ok": true])
        default:
            return .json(404, ["error": "unknown admin call"])
        }
    }
}
