import Foundation

extension PeopleFake {
    static let groupFields: Set<String> = ["clientData", "groupType", "memberCount", "metadata", "name"]
    static let defaultGroupFields = ["metadata", "groupType", "memberCount", "name"]
    static let modifyLimit = 1_000

    /// `groupFields` (default: metadata, groupType, memberCount, name); nil with the 400 to answer.
    func groupMask(_ r: FakeRequest, name: String = "groupFields") -> Result<[String], GoogleFake.FakeResponseBox> {
        guard let text = r.param(name), !text.isEmpty else { return .success(PeopleFake.defaultGroupFields) }
        switch PeoplePerson.mask(text, valid: PeopleFake.groupFields) {
        case .success(let m): return .success(m)
        case .failure(let e):
            return .failure(
                GoogleFake.FakeResponseBox(PeopleFake.maskError(e, name: name, method: "contactGroups/get")))
        }
    }

    /// The `readGroupFields` of a write's body (default: metadata, groupType, memberCount, name);
    /// the 400 to answer when it names an unknown field.
    static func readGroupMask(_ body: [String: Any], method: String) -> Result<[String], GoogleFake.FakeResponseBox> {
        guard let text = body["readGroupFields"] as? String, !text.isEmpty else { return .success(defaultGroupFields) }
        return PeoplePerson.mask(text, valid: groupFields).mapError {
            GoogleFake.FakeResponseBox(maskError($0, name: "readGroupFields", method: method))
        }
    }

    /// A group as the People API renders it (caller holds the lock). Deleted groups (in sync
    /// deltas) carry `metadata.deleted`.
    func render(_ g: GroupRecord, mask: [String], maxMembers: Int = 0) -> [String: Any] {
        var out: [String: Any] = ["resourceName": g.resourceName, "etag": g.etag]
        if mask.contains("name") || g.deleted {
            out["name"] = g.name
            out["formattedName"] = g.system ? PeopleStore.systemGroups.first { $0.0 == g.id }?.1 ?? g.name : g.name
        }
        if mask.contains("groupType") { out["groupType"] = g.system ? "SYSTEM_CONTACT_GROUP" : "USER_CONTACT_GROUP" }
        if mask.contains("metadata") || g.deleted {
            var metadata: [String: Any] = ["updateTime": g.updateTime]
            if g.deleted { metadata["deleted"] = true }
            out["metadata"] = metadata
        }
        if g.deleted { return out }
        let members = store.members(of: g.id)
        if mask.contains("memberCount") { out["memberCount"] = members.count }
        if mask.contains("clientData"), !g.clientData.isEmpty { out["clientData"] = g.clientData }
        if maxMembers > 0, !members.isEmpty {
            out["memberResourceNames"] = members.prefix(maxMembers).map(\.resourceName)
        }
        return out
    }

    /// `contactGroups.list`: system and user groups, `pageSize` 1–1000 (default 30), and a
    /// `nextSyncToken` on the last page; with `syncToken`, the groups changed since (deleted ones
    /// with `metadata.deleted`).
    func listGroups(_ r: FakeRequest) -> FakeResponse {
        let mask: [String]
        switch groupMask(r) {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        guard let size = PeopleFake.pageSize(r, fallback: 30) else {
            return PeopleFake.invalid("pageSize must be between 1 and 1000, inclusive.")
        }
        let parameters = [mask.joined(separator: ","), r.param("syncToken") ?? ""].joined(separator: "|")
        return lock.withLock {
            if let token = r.param("pageToken") {
                return page(token: token, parameters: parameters, size: size, key: "contactGroups")
            }
            let now = Date().timeIntervalSince1970
            var groups = store.groups.values.filter { !$0.deleted }
            var fullSync = now
            if let text = r.param("syncToken") {
                guard let token = PeopleSyncToken(text, kind: "groups") else {
                    return PeopleFake.invalid("Sync token is invalid.")
                }
                guard token.epoch == store.epoch, now - token.fullSync < tokenLifetime else {
                    return PeopleFake.expiredSyncToken()
                }
                groups = store.groups.values.filter { $0.seq > token.seq }
                fullSync = token.fullSync
            }
            let items = groups.sorted { ($0.system ? 0 : 1, $0.seq, $0.id) < ($1.system ? 0 : 1, $1.seq, $1.id) }
                .map { PeopleSnapshot.Item.rendered(render($0, mask: mask)) }
            let next = PeopleSyncToken(kind: "groups", seq: store.seq, epoch: store.epoch, fullSync: fullSync)
            return firstPage(items, parameters: parameters, next: next.encoded, size: size, key: "contactGroups")
        }
    }

    /// `contactGroups.get`: `maxMembers` members listed (default none).
    func getGroup(_ r: FakeRequest, id: String) -> FakeResponse {
        let mask: [String]
        switch groupMask(r) {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        let maxMembers = Int(r.param("maxMembers") ?? "0") ?? -1
        guard maxMembers >= 0 else { return PeopleFake.invalid("maxMembers must not be negative.") }
        return lock.withLock {
            guard let g = store.groups[id], !g.deleted else { return PeopleFake.notFound() }
            return .json(200, render(g, mask: mask, maxMembers: maxMembers))
        }
    }

    /// Whether `name` is a system group's or a user group's (caller holds the lock): no group is
    /// created or renamed to it (409).
    func groupNameTaken(_ name: String) -> Bool {
        PeopleStore.systemGroups.contains { $0.0 == name || $0.1 == name }
            || store.groups.values.contains { !$0.deleted && !$0.system && $0.name == name }
    }

    /// `contactGroups.create`: `{"contactGroup": {"name", "clientData"}, "readGroupFields"}`; the
    /// name must be new among the user's groups (409 otherwise).
    func createGroup(_ r: FakeRequest) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        guard let group = body["contactGroup"] as? [String: Any] else {
            return PeopleFake.invalid("contactGroup is required.")
        }
        let name = (group["name"] as? String ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return PeopleFake.invalid("Contact group name must not be empty.") }
        let mask: [String]
        switch PeopleFake.readGroupMask(body, method: "contactGroups/create") {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        return lock.withLock {
            if groupNameTaken(name) {
                return PeopleFake.error(409, "ALREADY_EXISTS", "Contact group name already exists.")
            }
            let id = groupID(named: name)
            store.groups[id]?.clientData = (group["clientData"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
            store.touch(group: id)
            return .json(200, render(store.groups[id]!, mask: mask))
        }
    }

    /// `contactGroups.delete`: user groups only; members lose the membership (or are deleted
    /// with `deleteContacts=true`). Answers an empty object.
    func deleteGroup(_ r: FakeRequest, id: String) -> FakeResponse {
        lock.withLock {
            guard let g = store.groups[id], !g.deleted else { return PeopleFake.notFound() }
            guard !g.system else { return PeopleFake.invalid("Cannot delete a system contact group.") }
            for member in store.members(of: id) {
                if r.flag("deleteContacts") {
                    store.delete(member.id)
                } else {
                    store.setMembership(member.id, group: id, member: false)
                }
            }
            store.groups[id]?.deleted = true
            store.touch(group: id)
            return .json(200, [String: Any]())
        }
    }

    /// `contactGroups.members.modify`: adds and removes members (at most 1000 names in all).
    /// Unknown contacts are listed in `notFoundResourceNames`; a contact whose last group this is
    /// stays, listed in `canNotRemoveLastContactGroupResourceNames`. Only `myContacts`, `starred`
    /// and user groups take new members.
    func modifyMembers(_ r: FakeRequest, id: String) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        let add = (body["resourceNamesToAdd"] as? [Any] ?? []).compactMap { $0 as? String }
        let remove = (body["resourceNamesToRemove"] as? [Any] ?? []).compactMap { $0 as? String }
        guard add.count + remove.count <= PeopleFake.modifyLimit else {
            return PeopleFake.invalid("Too many resource names in request. Limit is \(PeopleFake.modifyLimit).")
        }
        return lock.withLock {
            guard let g = store.groups[id], !g.deleted else { return PeopleFake.notFound() }
            if !add.isEmpty, g.system, !PeopleStore.systemGroupsTakingMembers.contains(id) {
                return PeopleFake.invalid("Cannot add contacts to deprecated system contact group \(id).")
            }
            var notFound: [String] = []
            var lastGroup: [String] = []
            for name in add {
                let pid = PeopleFake.personID(name)
                guard let p = store.people[pid], !p.deleted else {
                    notFound.append(name)
                    continue
                }
                store.setMembership(pid, group: id, member: true)
            }
            for name in remove {
                let pid = PeopleFake.personID(name)
                guard let p = store.people[pid], !p.deleted else {
                    notFound.append(name)
                    continue
                }
                if p.groupNames == [g.resourceName] {
                    lastGroup.append(name)
                    continue
                }
                store.setMembership(pid, group: id, member: false)
            }
            store.touch(group: id)
            var out: [String: Any] = [:]
            if !notFound.isEmpty { out["notFoundResourceNames"] = notFound }
            if !lastGroup.isEmpty { out["canNotRemoveLastContactGroupResourceNames"] = lastGroup }
            return .json(200, out)
        }
    }
}
