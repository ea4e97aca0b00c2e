import AlmanacCore
import AlmanacHTTP
import Foundation

/// The account's contact groups: user groups by name and resource name, and which resource
/// names are system groups (`contactGroups/myContacts`, `starred`, …), which `Contact.groups`
/// never lists.
struct GroupDirectory {
    var byName: [String: String] = [:]
    var names: [String: String] = [:]
    var system: Set<String> = []

    /// The group name of a membership, nil for a system group or an unknown one.
    func name(_ resourceName: String) -> String? { names[resourceName] }

    func knows(_ resourceName: String) -> Bool { names[resourceName] != nil || system.contains(resourceName) }

    mutating func add(name: String, resourceName: String) {
        byName[name] = resourceName
        names[resourceName] = name
    }
}

extension GoogleContactsConnector {
    /// The group directory, listed on first use (`contactGroups.list`, every page).
    @discardableResult
    func groupDirectory(reload: Bool = false) throws -> GroupDirectory {
        if let groups, !reload { return groups }
        var directory = GroupDirectory()
        var pageToken: String?
        repeat {
            var query = [("pageSize", "1000"), ("groupFields", "name,groupType")]
            if let pageToken { query.append(("pageToken", pageToken)) }
            let body = try json(HTTPRequest(url: url("contactGroups", query)), doing: "listing contact groups")
            for g in body["contactGroups"] as? [[String: Any]] ?? [] {
                guard let rn = g["resourceName"] as? String, let name = g["name"] as? String else { continue }
                if g["groupType"] as? String == "USER_CONTACT_GROUP" {
                    directory.add(name: name, resourceName: rn)
                } else {
                    directory.system.insert(rn)
                }
            }
            pageToken = body["nextPageToken"] as? String
        } while pageToken != nil
        groups = directory
        return directory
    }

    /// The resource names of user groups `names`, creating the missing ones
    /// (`contactGroups.create`; a name taken meanwhile → listed again).
    @discardableResult
    func ensureGroups(_ names: Set<String>) throws -> GroupDirectory {
        var directory = try groupDirectory()
        for name in names.sorted() where directory.byName[name] == nil {
            let r = try api.send(
                HTTPRequest.json("POST", url("contactGroups"), ["contactGroup": ["name": name]]))
            if r.status == 409 {
                directory = try groupDirectory(reload: true)
                if directory.byName[name] != nil { continue }
            }
            guard r.isSuccess, let rn = r.jsonObject?["resourceName"] as? String else {
                throw failure(r, doing: "creating contact group \"\(name)\"")
            }
            logger.info(
                "contact group created", metadata: ["connector": "google_contacts", "group": "\(name)"])
            directory.add(name: name, resourceName: rn)
        }
        groups = directory
        return directory
    }

    /// Adds and removes members of user groups (`contactGroups.members.modify`, at most 1000
    /// names per call). Returns the contacts Google did not find.
    func modifyMembers(add: [String: Set<String>], remove: [String: Set<String>]) throws -> Set<String> {
        var missing = Set<String>()
        for group in Set(add.keys).union(remove.keys).sorted() {
            let calls =
                (add[group] ?? []).sorted().map { ($0, true) } + (remove[group] ?? []).sorted().map { ($0, false) }
            for chunk in calls.chunked(Self.modifyLimit) {
                let body: [String: Any] = [
                    "resourceNamesToAdd": chunk.filter(\.1).map(\.0),
                    "resourceNamesToRemove": chunk.filter { !$0.1 }.map(\.0),
                ]
                let answer = try json(
                    HTTPRequest.json("POST", url(group + "/members:modify"), body),
                    doing: "changing the members of \(group)")
                missing.formUnion(answer["notFoundResourceNames"] as? [String] ?? [])
            }
        }
        return missing
    }
}
