import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleContactsConnector {
    /// One page of `people.connections.list`. Without a cursor: every contact (windows do not
    /// apply), `.complete`, with `requestSyncToken` so the last page carries the cursor. With a
    /// cursor: what changed since that `syncToken` (`.delta`; deleted contacts in `deleted`). An
    /// expired token (400 FAILED_PRECONDITION, EXPIRED_SYNC_TOKEN) drops it and lists in full,
    /// so the engine reconciles against its state. `since` lists in full (the People API has no
    /// "changed since" filter). A cursor issued before a user group was created, renamed or
    /// deleted lists in full as well (`GoogleContactsConnector+Cursor`).
    public func read(_ request: ReadRequest) throws -> ReadPage {
        var mode: String
        var pageToken: String?
        let (fingerprint, token) = request.cursor.map(Self.parse(cursor:)) ?? (nil, "")
        if let c = request.continuation, let bar = c.firstIndex(of: "|") {
            mode = String(c[..<bar])
            pageToken = String(c[c.index(after: bar)...])
        } else {
            mode = request.cursor != nil ? "delta" : "full"
            if mode == "delta", let fingerprint, try groupDirectory(reload: true).fingerprint != fingerprint {
                logger.info(
                    "contact groups changed since the last run; listing every contact",
                    metadata: ["connector": "google_contacts", "connection": "\(connection)"])
                mode = "full"
            }
        }
        while true {
            var query = [
                ("personFields", Self.personFields), ("pageSize", "\(settings.pageSize)"),
                ("requestSyncToken", "true"),
            ]
            if mode == "delta" { query.append(("syncToken", token)) }
            if let pageToken { query.append(("pageToken", pageToken)) }
            let r = try api.send(HTTPRequest(url: url("people/me/connections", query)))
            if mode == "delta", r.status == 400, Self.reasons(r).contains("EXPIRED_SYNC_TOKEN") {
                logger.info(
                    "sync token expired; listing every contact",
                    metadata: ["connector": "google_contacts", "connection": "\(connection)"])
                mode = "full"
                pageToken = nil
                continue
            }
            guard r.isSuccess else { throw failure(r, doing: "listing contacts") }
            guard let body = r.jsonObject else {
                throw AlmanacHTTPError.badBody(expected: "people.connections.list answer", status: r.status)
            }
            if mode == "full" && pageToken == nil { listingIndex = [:] }
            return try page(body, mode: mode, window: request.window)
        }
    }

    private func page(_ body: [String: Any], mode: String, window: TimeWindow) throws -> ReadPage {
        let people = body["connections"] as? [[String: Any]] ?? []
        var items: [SourceItem] = []
        var deleted: [String] = []
        let directory = try directoryKnowing(people)
        for p in people {
            guard let key = p["resourceName"] as? String else { continue }
            if (p["metadata"] as? [String: Any])?["deleted"] as? Bool == true {
                if mode != "full" { deleted.append(key) }
                continue
            }
            let item = sourceItem(p, key: key, directory: directory)
            if let stamp = item.event.origin {
                if mode == "full" { listingIndex[stamp] = key } else { originIndex?[stamp] = key }
            }
            items.append(item)
        }
        if !deleted.isEmpty, let index = originIndex {
            let gone = Set(deleted)
            originIndex = index.filter { !gone.contains($0.value) }
        }
        let next = body["nextPageToken"] as? String
        if mode == "full" && next == nil { originIndex = listingIndex }
        return ReadPage(
            items: items, deleted: deleted, coverage: mode == "full" ? .complete(window) : .delta,
            continuation: next.map { "\(mode)|\($0)" },
            cursor: next == nil ? (body["nextSyncToken"] as? String).map { Self.cursor($0, groups: directory) } : nil)
    }

    /// The item of a person; phones kept as given are logged (notice) with the key and the
    /// problem id, the number itself kept.
    func sourceItem(_ person: [String: Any], key: String, directory: GroupDirectory) -> SourceItem {
        let (contact, origin, kept) = PersonMapping.contact(
            person, groupName: { directory.name($0) }, defaultRegion: defaultRegion)
        for (_, problem) in kept {
            logger.notice(
                "phone number kept as given",
                metadata: ["connector": "google_contacts", "key": "\(key)", "problem": "\(problem.id)"])
        }
        return SourceItem(key: key, version: person["etag"] as? String, event: contact.envelope(origin: origin))
    }

    /// The group directory, listed again when `people` name a group it does not know (made since).
    func directoryKnowing(_ people: [[String: Any]]) throws -> GroupDirectory {
        let directory = try groupDirectory()
        let named = people.flatMap { p in
            (p["memberships"] as? [[String: Any]] ?? []).compactMap {
                ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
            }
        }
        return named.allSatisfy(directory.knows) ? directory : try groupDirectory(reload: true)
    }

    /// The current items of `keys` (`people.getBatchGet`, 200 per call, concurrently); a
    /// contact Google does not find is absent from the answer. Throws when a call fails.
    func fetch(_ keys: [String]) throws -> [String: SourceItem] {
        guard !keys.isEmpty else { return [:] }
        let requests = keys.chunked(Self.getLimit).map { chunk in
            HTTPRequest(
                url: url("people:batchGet", chunk.map { ("resourceNames", $0) } + [("personFields", Self.personFields)])
            )
        }
        var people: [[String: Any]] = []
        for result in try api.sendAll(requests) {
            let r = try result.get()
            guard r.isSuccess else { throw failure(r, doing: "reading contacts") }
            for answer in r.jsonObject?["responses"] as? [[String: Any]] ?? [] {
                if let person = answer["person"] as? [String: Any] { people.append(person) }
            }
        }
        let directory = try directoryKnowing(people)
        var found: [String: SourceItem] = [:]
        for p in people {
            guard let key = p["resourceName"] as? String else { continue }
            found[key] = sourceItem(p, key: key, directory: directory)
        }
        return found
    }

    /// Origin stamp → resource name of every stamped contact: what this instance knows, or a
    /// listing of every contact's `clientData`.
    func stampedContacts() throws -> [String: String] {
        if let originIndex { return originIndex }
        var index: [String: String] = [:]
        var pageToken: String?
        repeat {
            var query = [("personFields", "clientData"), ("pageSize", "1000")]
            if let pageToken { query.append(("pageToken", pageToken)) }
            let body = try json(
                HTTPRequest(url: url("people/me/connections", query)), doing: "listing contacts' origin stamps")
            for p in body["connections"] as? [[String: Any]] ?? [] {
                guard let key = p["resourceName"] as? String else { continue }
                let data = p["clientData"] as? [[String: Any]] ?? []
                if let stamp = data.first(where: { $0["key"] as? String == Self.originKey })?["value"] as? String {
                    index[stamp] = key
                }
            }
            pageToken = body["nextPageToken"] as? String
        } while pageToken != nil
        originIndex = index
        return index
    }
}
