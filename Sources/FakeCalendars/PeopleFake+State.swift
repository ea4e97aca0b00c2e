import Foundation

extension PeopleFake {
    /// The contacts and groups as a JSON-compatible value (for a state file).
    public func snapshot() -> [String: Any] {
        lock.withLock {
            let people = store.people.mapValues { p -> [String: Any] in
                [
                    "sourceID": p.sourceID, "fields": p.fields, "seq": p.seq, "deleted": p.deleted,
                    "updateTime": p.updateTime,
                ]
            }
            let groups = store.groups.mapValues { g -> [String: Any] in
                [
                    "name": g.name, "system": g.system, "clientData": g.clientData, "seq": g.seq, "deleted": g.deleted,
                    "updateTime": g.updateTime,
                ]
            }
            return ["seq": store.seq, "people": people, "groups": groups]
        }
    }

    /// Restores what `snapshot()` returned.
    public func restore(_ obj: [String: Any]) {
        lock.withLock {
            store.seq = max(store.seq, obj["seq"] as? Int ?? 0)
            for (id, p) in obj["people"] as? [String: [String: Any]] ?? [:] {
                store.people[id] = PersonRecord(
                    id: id, sourceID: p["sourceID"] as? String ?? id, fields: p["fields"] as? [String: Any] ?? [:],
                    seq: p["seq"] as? Int ?? 0, deleted: p["deleted"] as? Bool ?? false,
                    updateTime: p["updateTime"] as? String ?? "",
                    changedAt: ISOTime.date(from: p["updateTime"] as? String ?? "") ?? .distantPast)
            }
            for (id, g) in obj["groups"] as? [String: [String: Any]] ?? [:] {
                store.groups[id] = GroupRecord(
                    id: id, name: g["name"] as? String ?? id, system: g["system"] as? Bool ?? false,
                    clientData: g["clientData"] as? [[String: Any]] ?? [], seq: g["seq"] as? Int ?? 0,
                    deleted: g["deleted"] as? Bool ?? false, updateTime: g["updateTime"] as? String ?? "")
            }
        }
    }
}
