import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleContactsConnector {
    /// Creates through `batchCreateContacts`, 200 a call, one call at a time (the People API
    /// asks for a user's mutations to be sequential); a create whose stamp a contact carries is
    /// not sent (see `write`); a call whose answer is lost is settled by the stamps.
    func create(_ items: [Pending]) throws -> [(Int, WriteOutcome)] {
        guard !items.isEmpty else { return [] }
        var out: [(Int, WriteOutcome)] = []
        let stamped = try stampedContacts()
        // A contact that carries the stamp is the one an earlier attempt made: handed back as a
        // conflict for the engine to adopt. One deleted since is made again.
        let current = try fetch(items.compactMap { stamped[$0.origin ?? $0.key] })
        var fresh: [Pending] = []
        for p in items {
            if let key = stamped[p.origin ?? p.key], let item = current[key] {
                out.append((p.index, .conflict(current: item)))
            } else {
                fresh.append(p)
            }
        }
        var lost: [Pending] = []
        for chunk in fresh.chunked(Self.writeLimit) {
            out += try sendCreates(chunk, lost: &lost)
        }
        guard !lost.isEmpty else { return out }
        // The answer was lost: what was made carries the stamp.
        originIndex = nil
        let found: [String: String]
        let items: [String: SourceItem]
        do {
            found = try stampedContacts()
            items = try fetch(lost.compactMap { found[$0.origin ?? $0.key] })
        } catch {
            return out + lost.map { ($0.index, .failed(retryable: true, reason: "the answer to a create was lost")) }
        }
        for p in lost {
            if let key = found[p.origin ?? p.key], let item = items[key] {
                out.append((p.index, .written(key: key, version: item.version)))
            } else {
                out.append((p.index, .failed(retryable: true, reason: "the answer to a create was lost; not made")))
            }
        }
        return out
    }

    /// One `batchCreateContacts` call, sent so that it is never replayed blindly. A request
    /// refused as invalid is split: each contact alone, so one bad contact fails alone.
    func sendCreates(_ chunk: [Pending], lost: inout [Pending]) throws -> [(Int, WriteOutcome)] {
        let people = chunk.map { p -> [String: Any] in
            let groups = ["contactGroups/myContacts"] + memberships(p.contact)
            return ["contactPerson": PersonMapping.person(p.contact, origin: p.origin ?? p.key, memberships: groups)]
        }
        var request = try HTTPRequest.json(
            "POST", url("people:batchCreateContacts"), ["contacts": people, "readMask": "metadata"])
        request.isReplayable = false
        let r: HTTPResponse
        switch try api.sendAll([request])[0] {
        case .success(let response): r = response
        case .failure:
            lost += chunk
            return []
        }
        if r.isSuccess {
            let created = r.jsonObject?["createdPeople"] as? [[String: Any]] ?? []
            return chunk.enumerated().map { n, p in
                guard n < created.count, let person = created[n]["person"] as? [String: Any],
                    let key = person["resourceName"] as? String
                else { return (p.index, .failed(retryable: true, reason: "Google's answer lacks this contact")) }
                originIndex?[p.origin ?? p.key] = key
                return (p.index, .written(key: key, version: person["etag"] as? String))
            }
        }
        if r.status == 400 && chunk.count > 1 {
            var out: [(Int, WriteOutcome)] = []
            for p in chunk { out += try sendCreates([p], lost: &lost) }
            return out
        }
        if r.status == 429 || r.status >= 500 {
            lost += chunk
            return []
        }
        let reason = "Google answered \(r.status): \(Self.message(r))"
        return chunk.map { ($0.index, .failed(retryable: false, reason: reason)) }
    }
}
