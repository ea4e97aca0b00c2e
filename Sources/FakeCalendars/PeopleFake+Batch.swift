import Foundation

extension PeopleFake {
    static let batchWriteLimit = 200
    static let batchDeleteLimit = 500

    /// The read mask of a batch write: `readMask` (empty: the answer carries only resource names
    /// and etags, the People API's skipped post-mutate read).
    func batchReadMask(_ body: [String: Any], method: String) -> Result<[String]?, GoogleFake.FakeResponseBox> {
        guard let text = body["readMask"] as? String, !text.isEmpty else { return .success(["resourceName"]) }
        return readMask(text, name: "readMask", method: method)
    }

    /// Renders `rec` for a batch answer; `["resourceName"]` is the skipped read (caller holds the lock).
    func batchPerson(_ rec: PersonRecord, mask: [String]?) -> [String: Any] {
        if mask == ["resourceName"] { return ["resourceName": rec.resourceName, "etag": rec.etag] }
        return PeoplePerson.render(rec, mask: mask, region: defaultRegion)
    }

    /// `people.batchCreateContacts`: 1 to 200 contacts, all checked before any is stored.
    func batchCreate(_ r: FakeRequest) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        let mask: [String]?
        switch batchReadMask(body, method: "people/batchCreateContacts") {
        case .success(let m): mask = m
        case .failure(let e): return e.response
        }
        let contacts = body["contacts"] as? [Any] ?? []
        guard !contacts.isEmpty else { return PeopleFake.invalid("contacts must not be empty.") }
        guard contacts.count <= PeopleFake.batchWriteLimit else {
            return PeopleFake.invalid("Too many contacts in request. Limit is \(PeopleFake.batchWriteLimit).")
        }
        var all: [[String: Any]] = []
        for (i, c) in contacts.enumerated() {
            guard let person = (c as? [String: Any])?["contactPerson"] as? [String: Any] else {
                return PeopleFake.invalid("contacts[\(i)].contactPerson is required.")
            }
            switch PeoplePerson.fields(from: person) {
            case .success(let f): all.append(f)
            case .failure(let m): return PeopleFake.invalid("contacts[\(i)]: \(m.text)")
            }
        }
        return lock.withLock {
            for f in all { if let bad = unknownGroup(in: f) { return bad } }
            let created = all.map { f -> [String: Any] in
                let id = store.create(f)
                return ["httpStatusCode": 200, "person": batchPerson(store.people[id]!, mask: mask)]
            }
            return .json(200, ["createdPeople": created])
        }
    }

    /// `people.batchUpdateContacts`: a map of 1 to 200 resource names to persons, each with its
    /// etag; all-or-nothing: the first contact that fails (unknown, no or stale etag, invalid)
    /// fails the request, named in the message, and nothing is changed.
    func batchUpdate(_ r: FakeRequest) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        let mask: [String]
        switch PeoplePerson.mask(body["updateMask"] as? String, valid: PeoplePerson.contactFields) {
        case .success(let m): mask = m
        case .failure(let e): return PeopleFake.maskError(e, name: "updateMask", method: "people/batchUpdateContacts")
        }
        let readMask: [String]?
        switch batchReadMask(body, method: "people/batchUpdateContacts") {
        case .success(let m): readMask = m
        case .failure(let e): return e.response
        }
        let contacts = body["contacts"] as? [String: Any] ?? [:]
        guard !contacts.isEmpty else { return PeopleFake.invalid("contacts must not be empty.") }
        guard contacts.count <= PeopleFake.batchWriteLimit else {
            return PeopleFake.invalid("Too many contacts in request. Limit is \(PeopleFake.batchWriteLimit).")
        }
        return lock.withLock {
            var updates: [(String, String, [String: Any])] = []
            for (name, value) in contacts.sorted(by: { $0.key < $1.key }) {
                guard name.hasPrefix("people/"), let person = value as? [String: Any] else {
                    return PeopleFake.invalid("Invalid resource name: \(name).")
                }
                switch checkUpdate(id: PeopleFake.personID(name), body: person, mask: mask) {
                case .success(let fields): updates.append((name, PeopleFake.personID(name), fields))
                case .failure(let e): return PeopleFake.naming(name, e.response)
                }
            }
            var result: [String: Any] = [:]
            for (name, id, fields) in updates {
                store.update(id, fields: fields, mask: mask)
                result[name] = [
                    "httpStatusCode": 200, "requestedResourceName": name,
                    "person": batchPerson(store.people[id]!, mask: readMask),
                ]
            }
            return .json(200, ["updateResult": result])
        }
    }

    /// `people.batchDeleteContacts`: 1 to 500 resource names; all-or-nothing: an unknown or
    /// deleted one → 404 naming it, nothing deleted. Answers an empty object.
    func batchDelete(_ r: FakeRequest) -> FakeResponse {
        guard let body = r.jsonObject else { return PeopleFake.invalid("Invalid JSON payload received.") }
        let names = body["resourceNames"] as? [Any] ?? []
        guard !names.isEmpty else { return PeopleFake.invalid("resourceNames must not be empty.") }
        guard names.count <= PeopleFake.batchDeleteLimit else {
            return PeopleFake.invalid("Too many resource names in request. Limit is \(PeopleFake.batchDeleteLimit).")
        }
        return lock.withLock {
            var ids: [String] = []
            for n in names {
                guard let name = n as? String, name.hasPrefix("people/") else {
                    return PeopleFake.invalid("Invalid resource name: \(n).")
                }
                let id = PeopleFake.personID(name)
                guard let rec = store.people[id], !rec.deleted else {
                    return PeopleFake.error(404, "NOT_FOUND", "Requested entity was not found: \(name).")
                }
                ids.append(id)
            }
            for id in ids { store.delete(id) }
            return .json(200, [String: Any]())
        }
    }

    /// `response` (an error envelope) with its message prefixed by the resource it is about.
    static func naming(_ name: String, _ response: FakeResponse) -> FakeResponse {
        guard var obj = JSONReader.object(response.body), var error = obj["error"] as? [String: Any] else {
            return response
        }
        error["message"] = "\(name): \(error["message"] as? String ?? "")"
        obj["error"] = error
        var out = FakeResponse.json(response.status, obj)
        out.headers = response.headers
        return out
    }
}
