import Foundation

/// A listing in progress: what it will serve, the parameters it was asked with (a page token
/// must come with the same ones), and the sync token its last page carries. Contacts are kept
/// as records and rendered page by page (a first page of 25,000 contacts costs one page).
struct PeopleSnapshot {
    enum Item {
        case person(PersonRecord)
        case rendered([String: Any])
    }

    var items: [Item]
    var mask: [String]
    var parameters: String
    var nextSyncToken: String?
}

/// A sync token's content: the change position it was issued at, the epoch (admin expiry), and
/// when the full sync its chain started with was made (the People API expires tokens 7 days
/// after the full sync).
struct PeopleSyncToken {
    var kind: String
    var seq: Int
    var epoch: Int
    var fullSync: TimeInterval

    var encoded: String {
        Data("\(kind)|\(seq)|\(epoch)|\(Int(fullSync * 1_000))".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    init(kind: String, seq: Int, epoch: Int, fullSync: TimeInterval) {
        self.kind = kind
        self.seq = seq
        self.epoch = epoch
        self.fullSync = fullSync
    }

    init?(_ text: String, kind: String) {
        let b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard let d = Data(base64Encoded: b64) else { return nil }
        let p = String(decoding: d, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard p.count == 4, p[0] == kind, let s = Int(p[1]), let e = Int(p[2]), let t = Int(p[3]) else { return nil }
        self.init(kind: kind, seq: s, epoch: e, fullSync: TimeInterval(t) / 1_000)
    }
}

extension PeopleFake {
    static let sortOrders = [
        "LAST_MODIFIED_ASCENDING", "LAST_MODIFIED_DESCENDING", "FIRST_NAME_ASCENDING", "LAST_NAME_ASCENDING",
    ]

    /// `pageSize`: 0 or absent → `fallback`; 1…1000; anything else → nil.
    static func pageSize(_ r: FakeRequest, fallback: Int) -> Int? {
        guard let text = r.param("pageSize") else { return fallback }
        guard let n = Int(text), (0...1_000).contains(n) else { return nil }
        return n == 0 ? fallback : n
    }

    /// `people.connections.list` of `people/me`: `personFields` required; `pageSize` 1–1000
    /// (default 100); `sortOrder`; `requestSyncToken` puts `nextSyncToken` on the last page;
    /// `syncToken` lists what changed since (deleted contacts with `metadata.deleted`; changes
    /// younger than `syncDelay` wait for a later delta), and an
    /// expired one answers 400 FAILED_PRECONDITION with reason `EXPIRED_SYNC_TOKEN`. A page
    /// token must come with the other parameters of the first call.
    func listConnections(_ r: FakeRequest) -> FakeResponse {
        let mask: [String]
        switch PeoplePerson.mask(personFields(r), valid: PeoplePerson.readableFields) {
        case .success(let m): mask = m
        case .failure(let e): return PeopleFake.maskError(e, name: "personFields", method: "people.connections/list")
        }
        guard let size = PeopleFake.pageSize(r, fallback: 100) else {
            return PeopleFake.invalid("pageSize must be between 1 and 1000, inclusive.")
        }
        let sort = r.param("sortOrder") ?? "LAST_MODIFIED_ASCENDING"
        guard PeopleFake.sortOrders.contains(sort) else {
            return PeopleFake.invalid(
                "Invalid value at 'sort_order' (type.googleapis.com/google.people.v1.SortOrder), \"\(sort)\"")
        }
        let wantsToken = r.flag("requestSyncToken")
        let parameters = [mask.joined(separator: ","), sort, "\(wantsToken)", r.param("syncToken") ?? ""]
            .joined(separator: "|")
        return lock.withLock {
            if let token = r.param("pageToken") {
                return page(token: token, parameters: parameters, size: size, key: "connections")
            }
            var recs: [PersonRecord]
            var next: PeopleSyncToken?
            let now = Date().timeIntervalSince1970
            if let text = r.param("syncToken") {
                guard let token = PeopleSyncToken(text, kind: "people") else {
                    return PeopleFake.invalid("Sync token is invalid.")
                }
                guard token.epoch == store.epoch, now - token.fullSync < tokenLifetime else {
                    return PeopleFake.expiredSyncToken()
                }
                let reach = max(token.seq, store.visibleSeq(delay: propagationDelay))
                recs = store.people.values.filter { $0.seq > token.seq && $0.seq <= reach }.sorted { $0.seq < $1.seq }
                next = PeopleSyncToken(kind: "people", seq: reach, epoch: store.epoch, fullSync: token.fullSync)
            } else {
                recs = PeopleFake.sorted(store.people.values.filter { !$0.deleted }, by: sort)
                if wantsToken {
                    next = PeopleSyncToken(kind: "people", seq: store.seq, epoch: store.epoch, fullSync: now)
                }
            }
            return firstPage(
                recs.map { .person($0) }, mask: mask, parameters: parameters, next: next?.encoded, size: size,
                key: "connections")
        }
    }

    static func expiredSyncToken() -> FakeResponse {
        error(
            400, "FAILED_PRECONDITION",
            "Sync token is expired. Clear local cache and retry call without the sync token.",
            reason: "EXPIRED_SYNC_TOKEN")
    }

    static func sorted(_ recs: [PersonRecord], by order: String) -> [PersonRecord] {
        func name(_ r: PersonRecord, _ key: String) -> String {
            ((r.fields["names"] as? [[String: Any]])?.first?[key] as? String ?? "").lowercased()
        }
        switch order {
        case "LAST_MODIFIED_DESCENDING": return recs.sorted { $0.seq > $1.seq }
        case "FIRST_NAME_ASCENDING":
            return recs.sorted { (name($0, "givenName"), $0.seq) < (name($1, "givenName"), $1.seq) }
        case "LAST_NAME_ASCENDING":
            return recs.sorted { (name($0, "familyName"), $0.seq) < (name($1, "familyName"), $1.seq) }
        default: return recs.sorted { $0.seq < $1.seq }
        }
    }

    /// Keeps a new listing and serves its first page (caller holds the lock).
    func firstPage(
        _ items: [PeopleSnapshot.Item], mask: [String] = [], parameters: String, next: String?, size: Int,
        key: String
    ) -> FakeResponse {
        snapshotCounter += 1
        let name = "s\(snapshotCounter)"
        snapshots[name] = PeopleSnapshot(items: items, mask: mask, parameters: parameters, nextSyncToken: next)
        if snapshots.count > 500 { snapshots.removeValue(forKey: "s\(snapshotCounter - 500)") }
        return serve(name, offset: 0, size: size, key: key)
    }

    /// Serves the page of a kept listing a page token names (caller holds the lock). Page
    /// tokens are reusable: a retried page gets the same answer.
    func page(token: String, parameters: String, size: Int, key: String) -> FakeResponse {
        let raw = Data(base64Encoded: token).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let p = raw.split(separator: ".")
        guard p.count == 2, let offset = Int(p[1]), let snap = snapshots[String(p[0])], offset <= snap.items.count
        else {
            return PeopleFake.invalid("Page token is invalid.")
        }
        guard snap.parameters == parameters else {
            return PeopleFake.invalid("Parameters provided with the page token don't match the original request.")
        }
        return serve(String(p[0]), offset: offset, size: size, key: key)
    }

    func serve(_ name: String, offset: Int, size: Int, key: String) -> FakeResponse {
        let snap = snapshots[name]!
        let end = min(snap.items.count, offset + min(size, pageCap))
        var body: [String: Any] = ["totalItems": snap.items.count]
        if key == "connections" { body["totalPeople"] = snap.items.count }
        // Empty lists are left out, as the People API's JSON does.
        if end > offset {
            body[key] = snap.items[offset..<end].map { item -> [String: Any] in
                switch item {
                case .person(let rec): return PeoplePerson.render(rec, mask: snap.mask, region: defaultRegion)
                case .rendered(let json): return json
                }
            }
        }
        if end < snap.items.count {
            body["nextPageToken"] = Data("\(name).\(end)".utf8).base64EncodedString()
        } else if let next = snap.nextSyncToken {
            body["nextSyncToken"] = next
        }
        return .json(200, body)
    }
}
