import Foundation

/// One stored contact of the People fake: its contact fields (as the client wrote them, without
/// output-only keys) and bookkeeping. Deleted contacts stay as tombstones for sync deltas.
struct PersonRecord {
    /// `c` and digits: the resource name is `people/<id>`.
    var id: String
    /// The id of the contact's CONTACT source (hex), as `metadata.sources[].id`.
    var sourceID: String
    var fields: [String: Any]
    var seq: Int
    var deleted: Bool
    var updateTime: String
    /// When the last change was made (sync deltas may see it only a propagation delay later).
    var changedAt = Date()

    var resourceName: String { "people/\(id)" }
    /// The person's etag (`%…`) and its contact source's etag (`#…`): opaque, new on every change.
    var etag: String { "%Eg" + Data("p\(seq)".utf8).base64EncodedString() }
    var sourceEtag: String { "#" + Data("s\(seq)".utf8).base64EncodedString() }

    /// The contact group resource names of the person's memberships.
    var groupNames: [String] {
        (fields["memberships"] as? [[String: Any]] ?? []).compactMap {
            ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String
        }
    }
}

/// One contact group: a system group (`contactGroups/myContacts`, …) or one the user made.
struct GroupRecord {
    var id: String
    var name: String
    var system: Bool
    var clientData: [[String: Any]]
    var seq: Int
    var deleted: Bool
    var updateTime: String

    var resourceName: String { "contactGroups/\(id)" }
    var etag: String { "%Eg" + Data("g\(seq)".utf8).base64EncodedString() }
}

/// The People fake's contacts and groups (thread-safe through the owning `PeopleFake`'s lock).
struct PeopleStore {
    var people: [String: PersonRecord] = [:]
    var groups: [String: GroupRecord] = [:]
    /// Monotonic change counter: every mutation stamps the record with the next value.
    var seq = 5_000
    /// Sync tokens issued before the current epoch are expired.
    var epoch = 1

    /// System groups: the two that take members, and the deprecated ones that only lose them.
    static let systemGroups = [
        ("myContacts", "My Contacts"), ("starred", "Starred"), ("friends", "Friends"), ("family", "Family"),
        ("coworkers", "Coworkers"),
    ]
    static let systemGroupsTakingMembers: Set<String> = ["myContacts", "starred"]

    init() {
        for (id, _) in PeopleStore.systemGroups {
            groups[id] = GroupRecord(
                id: id, name: id, system: true, clientData: [], seq: 1, deleted: false,
                updateTime: ISOTime.string(from: Date()))
        }
    }

    mutating func nextSeq() -> Int {
        seq += 1
        return seq
    }

    /// Stores a new contact (memberships default to `myContacts`); returns its id.
    mutating func create(_ fields: [String: Any]) -> String {
        let s = nextSeq()
        let id = "c\(4_000_000_000_000_000_000 + s * 7_919)"
        var f = fields
        if (f["memberships"] as? [Any] ?? []).isEmpty { f["memberships"] = [PeopleStore.membership("myContacts")] }
        people[id] = PersonRecord(
            id: id, sourceID: String(s * 104_729, radix: 16), fields: f, seq: s, deleted: false,
            updateTime: ISOTime.string(from: Date()))
        return id
    }

    /// Replaces the named fields of a live contact (absent in `fields` = cleared).
    mutating func update(_ id: String, fields: [String: Any], mask: [String]) {
        guard var rec = people[id] else { return }
        for key in mask { rec.fields[key] = fields[key] }
        touch(&rec)
        people[id] = rec
    }

    /// Turns a contact into a tombstone (listed in sync deltas with `metadata.deleted`).
    mutating func delete(_ id: String) {
        guard var rec = people[id], !rec.deleted else { return }
        rec.deleted = true
        touch(&rec)
        people[id] = rec
    }

    mutating func touch(_ rec: inout PersonRecord) {
        rec.seq = nextSeq()
        rec.changedAt = Date()
        rec.updateTime = ISOTime.string(from: rec.changedAt)
    }

    /// The change position sync deltas reach: the last one before any change younger than
    /// `delay` (all of them with no delay).
    func visibleSeq(delay: TimeInterval) -> Int {
        guard delay > 0 else { return seq }
        let since = Date().addingTimeInterval(-delay)
        return (people.values.filter { $0.changedAt > since }.map(\.seq).min() ?? seq + 1) - 1
    }

    mutating func touch(group id: String) {
        guard var g = groups[id] else { return }
        g.seq = nextSeq()
        g.updateTime = ISOTime.string(from: Date())
        groups[id] = g
    }

    /// Adds or removes a contact's membership of group `groupID` (a no-op when already so).
    mutating func setMembership(_ personID: String, group groupID: String, member: Bool) {
        guard var rec = people[personID], !rec.deleted else { return }
        let name = "contactGroups/\(groupID)"
        var list = rec.fields["memberships"] as? [[String: Any]] ?? []
        let has = rec.groupNames.contains(name)
        if member == has { return }
        if member {
            list.append(PeopleStore.membership(groupID))
        } else {
            list.removeAll {
                ($0["contactGroupMembership"] as? [String: Any])?["contactGroupResourceName"] as? String == name
            }
        }
        rec.fields["memberships"] = list
        touch(&rec)
        people[personID] = rec
    }

    /// The live members of group `groupID`, oldest first.
    func members(of groupID: String) -> [PersonRecord] {
        let name = "contactGroups/\(groupID)"
        return people.values.filter { !$0.deleted && $0.groupNames.contains(name) }.sorted { $0.seq < $1.seq }
    }

    static func membership(_ groupID: String) -> [String: Any] {
        ["contactGroupMembership": ["contactGroupId": groupID, "contactGroupResourceName": "contactGroups/\(groupID)"]]
    }

    /// A new user group's id (hex, like Google's).
    mutating func newGroupID() -> String { String(nextSeq() * 15_485_863, radix: 16) }
}
