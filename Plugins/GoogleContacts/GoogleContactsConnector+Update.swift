import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleContactsConnector {
    /// Updates through `batchUpdateContacts` with the stored etags (an update without one reads
    /// it first), then the membership changes.
    func update(_ items: [Pending]) throws -> [(Int, WriteOutcome)] {
        guard !items.isEmpty else { return [] }
        // Memberships are brought to what the contact names, none included: the groups are known first.
        try groupDirectory()
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
    func sendUpdates(_ chunk: [Pending], written: inout [(Pending, [String: Any])]) throws
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
    func settleMemberships(_ written: [(Pending, [String: Any])]) throws -> [(Int, WriteOutcome)] {
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
}
