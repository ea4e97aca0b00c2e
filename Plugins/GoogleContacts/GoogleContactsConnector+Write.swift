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
