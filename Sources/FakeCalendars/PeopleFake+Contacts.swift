import Foundation

extension PeopleFake {
    /// `people.get`: `personFields` is required.
    func getPerson(_ r: FakeRequest, id: String) -> FakeResponse {
        let mask: [String]
        switch PeoplePerson.mask(personFields(r), valid: PeoplePerson.readableFields) {
        case .success(let m): mask = m
        case .failure(let e): return PeopleFake.maskError(e, name: "personFields", method: "people/get")
        }
        return lock.withLock {
            guard let rec = store.people[id], !rec.deleted else { return PeopleFake.notFound() }
            return .json(200, PeoplePerson.render(rec, mask: mask, region: defaultRegion))
        }
    }

    /// `people.getBatchGet`: 1 to 200 `resourceNames`, `personFields` required; each answer
    /// carries its own status (404 for unknown or deleted contacts).
    func batchGet(_ r: FakeRequest) -> FakeResponse {
        let mask: [String]
        switch PeoplePerson.mask(personFields(r), valid: PeoplePerson.readableFields) {
        case .success(let m): mask = m
        case .failure(let e): return PeopleFake.maskError(e, name: "personFields", method: "people/getBatchGet")
        }
        let names = r.params("resourceNames")
        guard !names.isEmpty else { return PeopleFake.invalid("resourceNames must not be empty.") }
        guard names.count <= PeopleFake.batchWriteLimit else {
            return PeopleFake.invalid("Too many resource names in request. Limit is \(PeopleFake.batchWriteLimit).")
        }
        return lock.withLock {
            let responses = names.map { name -> [String: Any] in
                guard let rec = store.people[PeopleFake.personID(name)], !rec.deleted, name.hasPrefix("people/") else {
                    return [
                        "requestedResourceName": name, "httpStatusCode": 404,
                        "status": ["code": 5, "message": "Requested entity was not found."],
                    ]
                }
                return [
                    "requestedResourceName": name, "httpStatusCode": 200,
                    "person": PeoplePerson.render(rec, mask: mask, region: defaultRegion),
                ]
            }
            return .json(200, ["responses": responses])
        }
    }

    /// `personFields`, or the deprecated `requestMask.includeField`.
    func personFields(_ r: FakeRequest) -> String? { r.param("personFields") ?? r.param("requestMask.includeField") }

    /// The read mask of a write: `personFields` when given, every field when not.
    func readMask(_ text: String?, name: String, method: String) -> Result<[String]?, GoogleFake.FakeResponseBox> {
        guard let text, !text.isEmpty else { return .success(nil) }
        switch PeoplePerson.mask(text, valid: PeoplePerson.readableFields) {
        case .success(let m): return .success(m)
        case .failure(let e):
            return .failure(GoogleFake.FakeResponseBox(PeopleFake.maskError(e, name: name, method: method)))
        }
    }

    /// `people.createContact`: the body is a Person; memberships must name existing groups (none:
    /// `myContacts`).
    func createContact(_ r: FakeRequest) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        let mask: [String]?
        switch readMask(personFields(r), name: "personFields", method: "people/createContact") {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        let fields: [String: Any]
        switch PeoplePerson.fields(from: body) {
        case .success(let f): fields = f
        case .failure(let m): return PeopleFake.invalid(m.text)
        }
        return lock.withLock {
            if let bad = unknownGroup(in: fields) { return bad }
            let id = store.create(fields)
            return .json(200, PeoplePerson.render(store.people[id]!, mask: mask, region: defaultRegion))
        }
    }

    /// A 400 when `fields` names a membership of a group that does not exist or does not take
    /// members (caller holds the lock).
    func unknownGroup(in fields: [String: Any]) -> FakeResponse? {
        for m in fields["memberships"] as? [[String: Any]] ?? [] {
            let g = m["contactGroupMembership"] as? [String: Any] ?? [:]
            let id = g["contactGroupId"] as? String ?? ""
            guard let group = store.groups[id], !group.deleted else {
                return PeopleFake.invalid("Contact group \(g["contactGroupResourceName"] ?? id) not found.")
            }
            if group.system && !PeopleStore.systemGroupsTakingMembers.contains(id) {
                return PeopleFake.invalid("Cannot add contacts to deprecated system contact group \(id).")
            }
        }
        return nil
    }

    /// Checks one update against the stored contact: the contact exists, an etag was sent and is
    /// current, the body can be stored, memberships (when updated) name at least one existing
    /// group. Returns the fields to store (caller holds the lock).
    func checkUpdate(id: String, body: [String: Any], mask: [String]) -> Result<
        [String: Any], GoogleFake.FakeResponseBox
    > {
        guard let rec = store.people[id], !rec.deleted else {
            return .failure(GoogleFake.FakeResponseBox(PeopleFake.notFound()))
        }
        guard let etag = PeoplePerson.sentEtag(body) else {
            return .failure(
                GoogleFake.FakeResponseBox(
                    PeopleFake.invalid(
                        "Request must set person.etag or person.metadata.sources.etag for the source that is being "
                            + "updated.")))
        }
        guard etag == rec.etag || etag == rec.sourceEtag else {
            return .failure(
                GoogleFake.FakeResponseBox(
                    PeopleFake.error(
                        400, "FAILED_PRECONDITION",
                        "Request person.etag is different than the current person.etag. Clear local cache and get "
                            + "the latest person.", reason: "failedPrecondition")))
        }
        let fields: [String: Any]
        switch PeoplePerson.fields(from: body, only: mask) {
        case .success(let f): fields = f
        case .failure(let m): return .failure(GoogleFake.FakeResponseBox(PeopleFake.invalid(m.text)))
        }
        if mask.contains("memberships") {
            guard !(fields["memberships"] as? [Any] ?? []).isEmpty else {
                return .failure(
                    GoogleFake.FakeResponseBox(
                        PeopleFake.invalid("Memberships must specify at least one contact group membership.")))
            }
            if let bad = unknownGroup(in: fields) { return .failure(GoogleFake.FakeResponseBox(bad)) }
        }
        return .success(fields)
    }

    /// `people.updateContact`: `updatePersonFields` required; the fields it names are replaced
    /// (cleared when the body leaves them out), the others kept.
    func updateContact(_ r: FakeRequest, id: String) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        let mask: [String]
        switch PeoplePerson.mask(r.param("updatePersonFields"), valid: PeoplePerson.contactFields) {
        case .success(let m): mask = m
        case .failure(let e): return PeopleFake.maskError(e, name: "updatePersonFields", method: "people/updateContact")
        }
        let readMask: [String]?
        switch self.readMask(personFields(r), name: "personFields", method: "people/updateContact") {
        case .success(let m): readMask = m
        case .failure(let e): return e.response
        }
        if let named = body["resourceName"] as? String, named != "people/\(id)" {
            return PeopleFake.invalid("person.resourceName does not match the resource name of the request.")
        }
        return lock.withLock {
            switch checkUpdate(id: id, body: body, mask: mask) {
            case .failure(let e): return e.response
            case .success(let fields):
                store.update(id, fields: fields, mask: mask)
                return .json(200, PeoplePerson.render(store.people[id]!, mask: readMask, region: defaultRegion))
            }
        }
    }

    /// `people.deleteContact`: answers an empty object.
    func deleteContact(id: String) -> FakeResponse {
        lock.withLock {
            guard let rec = store.people[id], !rec.deleted else { return PeopleFake.notFound() }
            store.delete(id)
            return .json(200, [String: Any]())
        }
    }
}
