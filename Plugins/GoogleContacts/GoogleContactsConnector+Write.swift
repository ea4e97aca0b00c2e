import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleContactsConnector {
    struct Pending {
        var index: Int
        var key: String
        var version: String?
        var contact: Contact
        /// The origin stamp to write (a create's always; an update's when the engine sets one).
        var origin: String?
    }

    /// Applies changes: creates through `batchCreateContacts` (200 a call), updates through
    /// `batchUpdateContacts` (200 a call, with the stored etag; a stale etag → `.conflict` with
    /// the current contact), deletes through `batchDeleteContacts` (500 a call, after the etags
    /// were checked: a contact changed since → `.conflict`; one already gone → `.gone`). Groups
    /// a contact names are created on demand; an update's membership changes go through
    /// `contactGroups.members.modify`. A create whose origin stamp a contact already carries (an
    /// answer lost, a crash before the state was saved) is not made again: `.conflict` with
    /// that contact, which the engine adopts. Write-backs are refused. One outcome per change.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome?](repeating: nil, count: changes.count)
        var creates: [Pending] = []
        var updates: [Pending] = []
        var deletes: [Pending] = []
        let notAContact = WriteOutcome.failed(retryable: false, reason: "the change carries no contact")
        for (i, change) in changes.enumerated() {
            switch change {
            case .create(let id, let event):
                guard let c = event.contact else {
                    outcomes[i] = notAContact
                    continue
                }
                creates.append(Pending(index: i, key: id, contact: c, origin: event.origin ?? id))
            case .update(let key, let version, let event):
                guard let c = event.contact else {
                    outcomes[i] = notAContact
                    continue
                }
                updates.append(Pending(index: i, key: key, version: version, contact: c, origin: event.origin))
            case .delete(let key, let version):
                deletes.append(Pending(index: i, key: key, version: version, contact: Contact()))
            case .confirm, .cancel:
                outcomes[i] = .failed(
                    retryable: false, reason: "the google_contacts connector does not take write-backs")
            }
        }
        let wanted = Set((creates + updates).flatMap(\.contact.groups))
        if !wanted.isEmpty { try ensureGroups(wanted) }
        for (i, o) in try create(creates) { outcomes[i] = o }
        for (i, o) in try update(updates) { outcomes[i] = o }
        for (i, o) in try delete(deletes) { outcomes[i] = o }
        return outcomes.map { $0 ?? .failed(retryable: true, reason: "no answer from Google for this change") }
    }

    /// The resource names of the user groups `c` names (made by `ensureGroups` before).
    func memberships(_ c: Contact) -> [String] {
        let directory = groups ?? GroupDirectory()
        return c.groups.compactMap { directory.byName[$0] }
    }

    // MARK: - Creates

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
    private func sendCreates(_ chunk: [Pending], lost: inout [Pending]) throws -> [(Int, WriteOutcome)] {
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

    // MARK: - Updates

    func update(_ items: [Pending]) throws -> [(Int, WriteOutcome)] {
        guard !items.isEmpty else { return [] }
        var out: [(Int, WriteOutcome)] = []
        var ready: [Pending] = []
        let unversioned = try fetch(items.filter { $0.version == nil }.map(\.key))
        for var p in items {
            if p.version == nil {
                guard let v = unversioned[p.key]?.version else {
                    out.append((p.index, .gone))
                    continue
                }
                p.version = v
            }
            ready.append(p)
        }
        // The mask is per call: stamped updates replace clientData, the others keep it.
        var written: [(Pending, [String: Any])] = []
        for group in [ready.filter { $0.origin != nil }, ready.filter { $0.origin == nil }] {
            for chunk in group.chunked(Self.writeLimit) {
                out += try sendUpdates(chunk, written: &written)
            }
        }
        return out + (try settleMemberships(written))
    }

    /// `batchUpdateContacts` for `chunk`. The call is all or nothing: a contact it names as
    /// stale (FAILED_PRECONDITION) is a conflict, as missing (NOT_FOUND) gone, as invalid failed;
    /// the others are sent again.
    private func sendUpdates(_ chunk: [Pending], written: inout [(Pending, [String: Any])]) throws
        -> [(Int, WriteOutcome)]
    {
        var out: [(Int, WriteOutcome)] = []
        var rest = chunk
        var stale: [Pending] = []
        while !rest.isEmpty {
            var contacts: [String: Any] = [:]
            for p in rest {
                var person = PersonMapping.person(p.contact, origin: p.origin, memberships: nil)
                person["etag"] = p.version
                contacts[p.key] = person
            }
            let mask = PersonMapping.updateFields + (rest[0].origin != nil ? ["clientData"] : [])
            let r = try api.send(
                HTTPRequest.json(
                    "POST", url("people:batchUpdateContacts"),
                    [
                        "contacts": contacts, "updateMask": mask.joined(separator: ","),
                        "readMask": "memberships,metadata",
                    ]))
            if r.isSuccess {
                let results = r.jsonObject?["updateResult"] as? [String: [String: Any]] ?? [:]
                for p in rest {
                    if let person = results[p.key]?["person"] as? [String: Any] {
                        written.append((p, person))
                    } else {
                        out.append((p.index, .failed(retryable: true, reason: "Google's answer lacks this contact")))
                    }
                }
                break
            }
            let message = Self.message(r)
            if let named = rest.firstIndex(where: { message.hasPrefix($0.key + ":") }),
                r.status == 400 || r.status == 404
            {
                let p = rest.remove(at: named)
                switch Self.status(r) {
                case "FAILED_PRECONDITION": stale.append(p)
                case "NOT_FOUND": out.append((p.index, .gone))
                default: out.append((p.index, .failed(retryable: false, reason: "Google answered 400: \(message)")))
                }
                continue
            }
            // Refused for a contact it does not name: the ones whose etag moved (or that are
            // gone) are set apart by reading them, and the others sent again.
            if Self.status(r) == "FAILED_PRECONDITION" || r.status == 404 {
                let now = try fetch(rest.map(\.key))
                let moved = rest.filter { now[$0.key]?.version != $0.version }
                if !moved.isEmpty {
                    stale += moved
                    rest.removeAll { p in moved.contains { $0.index == p.index } }
                    continue
                }
            }
            let retryable = AlmanacHTTPError.isTransient(status: r.status)
            out += rest.map {
                ($0.index, .failed(retryable: retryable, reason: "Google answered \(r.status): \(message)"))
            }
            break
        }
        let current = try fetch(stale.map(\.key))
        for p in stale { out.append((p.index, current[p.key].map { .conflict(current: $0) } ?? .gone)) }
        return out
    }

    /// The membership changes of updated contacts (`members:modify`), then their etags (a
    /// membership change is a change of the contact). Outcomes of every written contact.
    private func settleMemberships(_ written: [(Pending, [String: Any])]) throws -> [(Int, WriteOutcome)] {
        var add: [String: Set<String>] = [:]
        var remove: [String: Set<String>] = [:]
        var touched = Set<String>()
        let directory = groups ?? GroupDirectory()
        for (p, person) in written {
            let now = Set(
                (person["memberships"] as? [[String: Any]] ?? []).compactMap {
                    ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
                }
            ).filter { !directory.system.contains($0) }
            let wanted = Set(memberships(p.contact))
            for g in wanted.subtracting(now) { add[g, default: []].insert(p.key) }
            // Only groups this connector can name are taken away (a group made since stays).
            for g in now.subtracting(wanted) where directory.names[g] != nil { remove[g, default: []].insert(p.key) }
            if !wanted.symmetricDifference(now.filter { directory.names[$0] != nil }).isEmpty { touched.insert(p.key) }
        }
        let missing = try modifyMembers(add: add, remove: remove)
        let versions = try fetch(Array(touched))
        return written.map { p, person in
            if missing.contains(p.key) { return (p.index, .gone) }
            let version = touched.contains(p.key) ? versions[p.key]?.version : person["etag"] as? String
            return (p.index, .written(key: p.key, version: version))
        }
    }

    // MARK: - Deletes

    /// Checks the etags (`getBatchGet`), then deletes the unchanged ones 500 a call. The call is
    /// all or nothing: a contact it names as not found is gone, the others are sent again.
    func delete(_ items: [Pending]) throws -> [(Int, WriteOutcome)] {
        guard !items.isEmpty else { return [] }
        var out: [(Int, WriteOutcome)] = []
        let current = try fetch(items.map(\.key))
        var go: [Pending] = []
        for p in items {
            guard let now = current[p.key] else {
                out.append((p.index, .gone))
                continue
            }
            if let v = p.version, now.version != v {
                out.append((p.index, .conflict(current: now)))
            } else {
                go.append(p)
            }
        }
        for chunk in go.chunked(Self.deleteLimit) {
            var rest = chunk
            while !rest.isEmpty {
                let r = try api.send(
                    HTTPRequest.json("POST", url("people:batchDeleteContacts"), ["resourceNames": rest.map(\.key)]))
                if r.isSuccess {
                    out += rest.map { ($0.index, .written(key: $0.key, version: nil)) }
                    break
                }
                let message = Self.message(r)
                if r.status == 404, let named = rest.firstIndex(where: { message.hasSuffix($0.key + ".") }) {
                    out.append((rest.remove(at: named).index, .gone))
                    continue
                }
                // Not found, without a name: the ones gone are set apart by reading them.
                if r.status == 404 {
                    let now = try fetch(rest.map(\.key))
                    let gone = rest.filter { now[$0.key] == nil }
                    if !gone.isEmpty {
                        out += gone.map { ($0.index, .gone) }
                        rest.removeAll { now[$0.key] == nil }
                        continue
                    }
                }
                let retryable = AlmanacHTTPError.isTransient(status: r.status)
                out += rest.map {
                    ($0.index, .failed(retryable: retryable, reason: "Google answered \(r.status): \(message)"))
                }
                break
            }
        }
        return out
    }
}
