import Foundation

/// A listing in progress: the items it will serve and how far it got.
struct GoogleSnapshot {
    var items: [[String: Any]]
    var offset: Int
    var page: Int
    var seq: Int
    var calendar: String
}

extension GoogleFake {
    /// Parameters that Google rejects together with `syncToken`.
    static let forbiddenWithSyncToken = [
        "timeMin", "timeMax", "q", "orderBy", "updatedMin", "iCalUID",
        "privateExtendedProperty", "sharedExtendedProperty",
    ]

    func list(_ r: FakeRequest, calendar: String) -> FakeResponse {
        let maxResults = max(1, min(Int(r.param("maxResults") ?? "250") ?? 250, 2500))
        return lock.withLock {
            if let token = r.param("pageToken") {
                // Page tokens are reusable (a retried page gets the same answer): `<snapshot>.<page>.<offset>`.
                let p = token.split(separator: ".")
                guard p.count == 3, let pg = Int(p[1]), let off = Int(p[2]), var snap = snapshots[String(p[0])],
                    off <= snap.items.count
                else {
                    return GoogleFake.error(400, "invalid", "Invalid page token.")
                }
                snap.page = pg
                snap.offset = off
                return page(String(p[0]), snap, maxResults: maxResults)
            }
            let single = r.flag("singleEvents")
            var items: [[String: Any]] = []
            let recs = store.calendars[calendar] ?? [:]
            if let sync = r.param("syncToken") {
                if let bad = GoogleFake.forbiddenWithSyncToken.first(where: { r.param($0) != nil }) {
                    return GoogleFake.error(400, "invalid", "\(bad) cannot be used with syncToken.")
                }
                guard let (cal, since, epoch) = GoogleFake.decodeSyncToken(sync), cal == calendar else {
                    return GoogleFake.error(400, "invalid", "Invalid sync token value.")
                }
                guard epoch == store.epoch else {
                    return GoogleFake.error(
                        410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
                }
                // Only what changed since the token is sorted: a delta with nothing in it costs one
                // pass over the calendar, not a sort of all of it (as Google answers it at once).
                for (id, rec) in recs.filter({ $0.value.seq > since }).sorted(by: { $0.key < $1.key }) {
                    items += render(id: id, rec, single: single, showDeleted: true, stored: recs)
                }
            } else {
                let tmin = r.param("timeMin").flatMap(GoogleStore.parse)
                let tmax = r.param("timeMax").flatMap(GoogleStore.parse)
                let updatedMin = r.param("updatedMin").flatMap(GoogleStore.parse)
                // With `updatedMin`, events deleted since then are listed whatever `showDeleted` says.
                let showDeleted = r.flag("showDeleted") || updatedMin != nil
                let properties = GoogleFake.propertyFilter(r)
                for (id, rec) in recs.sorted(by: { $0.key < $1.key }) {
                    if let updatedMin,
                        (GoogleStore.parse(rec.json["updated"] as? String ?? "") ?? .distantPast) < updatedMin
                    {
                        continue
                    }
                    if !properties.allSatisfy({ $0(rec.json) }) { continue }
                    if !single, !rec.deleted, rec.json["recurrence"] != nil,
                        !GoogleFake.overlaps(rec, tmin, tmax)
                    {
                        continue
                    }
                    for item in render(id: id, rec, single: single, showDeleted: showDeleted, stored: recs) {
                        if item["start"] != nil && (single || item["recurrence"] == nil) {
                            let s = GoogleStore.instant(item["start"]) ?? .distantPast
                            let e = GoogleStore.instant(item["end"]) ?? s
                            if let tmin, e <= tmin, !(e == s && s == tmin) { continue }
                            if let tmax, s >= tmax { continue }
                        }
                        items.append(item)
                    }
                }
            }
            snapshotCounter += 1
            let token = "p\(snapshotCounter)"
            let snap = GoogleSnapshot(items: items, offset: 0, page: 0, seq: store.seq, calendar: calendar)
            snapshots[token] = snap
            if snapshots.count > 500 { snapshots.removeValue(forKey: "p\(snapshotCounter - 500)") }
            return page(token, snap, maxResults: maxResults)
        }
    }

    /// `privateExtendedProperty` / `sharedExtendedProperty` constraints (`name=value`, repeatable):
    /// an event is listed only when it matches every one.
    static func propertyFilter(_ r: FakeRequest) -> [([String: Any]) -> Bool] {
        [("privateExtendedProperty", "private"), ("sharedExtendedProperty", "shared")].flatMap { param, scope in
            r.params(param).map { constraint -> ([String: Any]) -> Bool in
                let kv = constraint.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(kv[0])
                let value = kv.count > 1 ? String(kv[1]) : ""
                return { json in
                    let props = (json["extendedProperties"] as? [String: Any])?[scope] as? [String: Any]
                    return props?[name] as? String == value
                }
            }
        }
    }

    /// The items a record contributes to a listing (caller holds the lock).
    func render(
        id: String, _ rec: GoogleRecord, single: Bool, showDeleted: Bool,
        stored: [String: GoogleRecord]
    ) -> [[String: Any]] {
        if rec.deleted {
            // Cancelled instances of a series are listed without `singleEvents` whatever
            // `showDeleted` says (the series' exceptions).
            guard showDeleted || (!single && rec.json["recurringEventId"] != nil) else { return [] }
            return [GoogleFake.tombstone(id: id, rec)]
        }
        if single && rec.json["recurrence"] != nil {
            // Occurrences stored as exceptions (edited instances) are listed as themselves.
            return GoogleStore.expand(rec).filter { stored[$0["id"] as? String ?? ""] == nil }
        }
        return [rec.json]
    }

    /// Serves the next page of a snapshot (caller holds the lock). Pages are deliberately short
    /// and uneven; the second page is empty and the last page, which alone carries
    /// `nextSyncToken`, is empty too.
    func page(_ token: String, _ snapshot: GoogleSnapshot, maxResults: Int) -> FakeResponse {
        var snap = snapshot
        let size = max(1, min(maxResults, pageCap) - snap.page % 3)
        var slice: [[String: Any]] = []
        if snap.page != 1 || snap.offset >= snap.items.count {
            let end = min(snap.items.count, snap.offset + size)
            slice = Array(snap.items[snap.offset..<end])
            snap.offset = end
        }
        snap.page += 1
        var body: [String: Any] = [
            "kind": "calendar#events", "summary": snap.calendar, "timeZone": "UTC",
            "accessRole": "owner", "etag": "\"\(snap.seq)\"",
            "updated": ISOTime.string(from: Date()), "items": slice,
        ]
        if slice.isEmpty && snap.offset >= snap.items.count {
            body["nextSyncToken"] = GoogleFake.encodeSyncToken(snap.calendar, snap.seq, store.epoch)
        } else {
            body["nextPageToken"] = "\(token).\(snap.page).\(snap.offset)"
        }
        return .json(200, body)
    }

    static func encodeSyncToken(_ cal: String, _ seq: Int, _ epoch: Int) -> String {
        Data("\(cal)|\(seq)|\(epoch)".utf8).base64EncodedString()
    }

    static func decodeSyncToken(_ t: String) -> (String, Int, Int)? {
        guard let d = Data(base64Encoded: t) else { return nil }
        let parts = String(decoding: d, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, let s = Int(parts[1]), let e = Int(parts[2]) else { return nil }
        return (String(parts[0]), s, e)
    }
}
