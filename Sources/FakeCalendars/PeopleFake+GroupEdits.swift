import Foundation

extension PeopleFake {
    /// At most this many names in one `contactGroups.batchGet`.
    static let groupBatchGetLimit = 200

    /// `contactGroups.batchGet`: `resourceNames` (repeated, 1–200), `groupFields` and
    /// `maxMembers` as for `contactGroups.get`; one response per name, in order, a missing or
    /// deleted group answered with status 5 (NOT_FOUND).
    func batchGetGroups(_ r: FakeRequest) -> FakeResponse {
        let mask: [String]
        switch groupMask(r) {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        let names = r.params("resourceNames")
        guard !names.isEmpty else { return PeopleFake.invalid("resourceNames must not be empty.") }
        guard names.count <= PeopleFake.groupBatchGetLimit else {
            return PeopleFake.invalid(
                "Too many resource names in request. Limit is \(PeopleFake.groupBatchGetLimit).")
        }
        let maxMembers = Int(r.param("maxMembers") ?? "0") ?? -1
        guard maxMembers >= 0 else { return PeopleFake.invalid("maxMembers must not be negative.") }
        return lock.withLock {
            let responses = names.map { name -> [String: Any] in
                let id = name.hasPrefix("contactGroups/") ? String(name.dropFirst("contactGroups/".count)) : ""
                guard let g = store.groups[id], !g.deleted else {
                    return [
                        "requestedResourceName": name,
                        "status": ["code": 5, "message": "Requested entity was not found."],
                    ]
                }
                return [
                    "requestedResourceName": name, "status": [String: Any](),
                    "contactGroup": render(g, mask: mask, maxMembers: maxMembers),
                ]
            }
            return .json(200, ["responses": responses])
        }
    }

    /// `contactGroups.update` (`PUT contactGroups/{id}`): `{"contactGroup": {"etag", "name",
    /// "clientData"}, "updateGroupFields", "readGroupFields"}`. `updateGroupFields` names what
    /// changes (`name`, `clientData`; default `name`). The etag must be the group's current one
    /// (400 FAILED_PRECONDITION otherwise); system groups cannot be changed; a new name must be
    /// free among the user's groups (409). The members stay members: they point at the group by
    /// its resource name, which a rename keeps, so no contact changes (only the group's etag
    /// and sync position).
    func updateGroup(_ r: FakeRequest, id: String) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        guard let group = body["contactGroup"] as? [String: Any] else {
            return PeopleFake.invalid("contactGroup is required.")
        }
        var update = ["name"]
        if let text = body["updateGroupFields"] as? String, !text.isEmpty {
            switch PeoplePerson.mask(text, valid: ["clientData", "name"]) {
            case .success(let m): update = m
            case .failure(let e):
                return PeopleFake.maskError(e, name: "updateGroupFields", method: "contactGroups/update")
            }
        }
        let mask: [String]
        switch PeopleFake.readGroupMask(body, method: "contactGroups/update") {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        let name = (group["name"] as? String ?? "").trimmingCharacters(in: .whitespaces)
        if update.contains("name"), name.isEmpty {
            return PeopleFake.invalid("Contact group name must not be empty.")
        }
        return lock.withLock {
            guard let g = store.groups[id], !g.deleted else { return PeopleFake.notFound() }
            guard !g.system else { return PeopleFake.invalid("Cannot update a system contact group.") }
            guard let etag = group["etag"] as? String, etag == g.etag else {
                return PeopleFake.error(
                    400, "FAILED_PRECONDITION",
                    "Request contactGroup.etag is different than the current contactGroup.etag. Clear local "
                        + "cache and get the latest contactGroup.")
            }
            if update.contains("name"), name != g.name {
                if groupNameTaken(name) {
                    return PeopleFake.error(409, "ALREADY_EXISTS", "Contact group name already exists.")
                }
                store.groups[id]?.name = name
            }
            if update.contains("clientData") {
                store.groups[id]?.clientData =
                    (group["clientData"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
            }
            store.touch(group: id)
            return .json(200, render(store.groups[id]!, mask: mask))
        }
    }

    /// Renames a user group as the user would in Google Contacts (new etag and sync position; its
    /// members stay). Throws nothing: an unknown group is left alone; returns whether it was found.
    @discardableResult
    public func renameGroup(_ resourceName: String, to name: String) -> Bool {
        let id = resourceName.hasPrefix("contactGroups/") ? String(resourceName.dropFirst(14)) : resourceName
        return lock.withLock {
            guard let g = store.groups[id], !g.deleted, !g.system else { return false }
            store.groups[id]?.name = name
            store.touch(group: id)
            return true
        }
    }
}
