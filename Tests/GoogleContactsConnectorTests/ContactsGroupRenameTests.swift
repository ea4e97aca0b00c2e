import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Testing

/// A job's sync group renamed on the Google side (README "Groups"): the members left the group,
/// as if each had been taken out of it, on the very next run (the cursor's group fingerprint
/// makes that run list every contact). What the engine then does is `Linked.leftGroupsOnTo`'s.
@Suite("google_contacts: a sync group renamed on Google", .serialized, .timeLimit(.minutes(10)))
struct ContactsGroupRenameTests {
    /// Three database clients in "Google Sync" synced to the fake, then a quiet run; returns the
    /// harnesses and the group's resource name.
    static func synced(applyBackDelete: Bool) throws -> (ContactsHarness, SyncHarness, String) {
        let h = try ContactsHarness()
        let sync = try SyncHarness(
            job: """
                kind = "contacts"
                direction = "two-way"
                groups = ["Google Sync"]
                apply_back = { delete = \(applyBackDelete) }
                """,
            profileLines: "default_region = \"US\"")
        for n in 1...3 { _ = try sync.fromStore.put(client(n, groups: ["Google Sync"]).envelope()) }
        let first = try sync.run(to: h.connector()).report
        #expect(first.toCounts.created == 3, "\(first)")
        let quiet = try sync.run(to: h.connector()).report
        #expect(quiet.toCounts.changed == 0 && quiet.fromCounts.changed == 0, "\(quiet)")
        return (h, sync, try #require(h.people.groups()["Google Sync"]))
    }

    /// The cursor carries the groups' fingerprint: a delta after a group changed lists every
    /// contact, with the new name; a bare sync token (an older cursor) still reads a delta.
    @Test func aCursorFromBeforeAGroupChangeListsEveryContact() throws {
        let h = try ContactsHarness()
        _ = try h.connector().write([createChange(1, groups: ["Google Sync"]), createChange(2)])
        let first = try listAll(h.connector())
        let cursor = try #require(first.cursor)
        #expect(cursor.hasPrefix("g") && cursor.dropFirst(17).first == ".")
        let quiet = try listAll(h.connector(), cursor: cursor)
        #expect(quiet.items.isEmpty && quiet.coverage == .delta)
        #expect(h.people.renameGroup(try #require(h.people.groups()["Google Sync"]), to: "Old Sync"))
        let after = try listAll(h.connector(), cursor: quiet.cursor)
        #expect(after.items.count == 2)
        #expect(after.coverage == .complete(contactsWindow))
        #expect(after.items.compactMap(\.event.contact?.groups).sorted { $0.count < $1.count } == [[], ["Old Sync"]])
        let again = try listAll(h.connector(), cursor: after.cursor)
        #expect(again.items.isEmpty && again.coverage == .delta)
        let bare = String(try #require(after.cursor).dropFirst(18))
        let old = try listAll(h.connector(), cursor: bare)
        #expect(old.items.isEmpty && old.coverage == .delta)
    }

    @Test func theMembersLeaveTheGroupAndAreLeftAlone() throws {
        let (h, sync, group) = try Self.synced(applyBackDelete: false)
        let contactsBefore = h.people.contacts().count
        #expect(h.people.renameGroup(group, to: "Old Sync"))
        let renamed = try sync.run(to: h.connector())
        #expect(renamed.report.result == .success, "\(renamed.report.error ?? "")")
        let skipped = renamed.actions.filter { $0.kind == .skip }
        #expect(skipped.count == 3, "\(renamed.actions)")
        #expect(skipped.allSatisfy { $0.reason.contains("taken out of group \"Google Sync\" in to") })
        #expect(renamed.report.toCounts.changed == 0 && renamed.report.fromCounts.changed == 0)
        #expect(sync.fromStore.live.count == 3)
        #expect(h.people.contacts().count == contactsBefore)
        #expect(Array(h.people.groups().keys) == ["Old Sync"])  // no "Google Sync" made again

        // A database edit while they are out is not sent; renamed back, they sync again.
        let key = try #require(sync.fromStore.live.first { $0.value.event.contact?.givenName == "Given1" }?.key)
        try sync.fromStore.edit(key) { $0.contact?.notes = "edited while out" }
        let out = try sync.run(to: h.connector()).report
        #expect(out.toCounts.changed == 0, "\(out)")
        #expect(h.people.renameGroup(group, to: "Google Sync"))
        let back = try sync.run(to: h.connector()).report
        #expect(back.toCounts.updated == 1 && back.fromCounts.changed == 0, "\(back)")
        let notes = h.people.contacts().compactMap {
            ($0["biographies"] as? [[String: Any]])?.first?["value"] as? String
        }
        #expect(notes.contains("edited while out"))
    }

    /// With `apply_back.delete = true` the members' clients are to be deleted from the database:
    /// every one of them here, so the mass-delete guard blocks the run until it is allowed.
    @Test func withApplyBackDeleteTheClientsAreDeletedPastTheGuard() throws {
        let (h, sync, group) = try Self.synced(applyBackDelete: true)
        #expect(h.people.renameGroup(group, to: "Old Sync"))
        let blocked = try sync.run(to: h.connector()).report
        #expect(blocked.result == .blocked, "\(blocked)")
        #expect(blocked.errorCode == "sync.mass_delete_blocked", "\(blocked.errorCode ?? "nil")")
        #expect(sync.fromStore.live.count == 3)
        let allowed = try sync.run(RunOptions(allowMassDelete: true), to: h.connector())
        #expect(allowed.report.result == .success, "\(allowed.report.error ?? "")")
        let deletes = allowed.actions.filter { $0.kind == .delete && $0.target == .from }
        #expect(deletes.count == 3, "\(allowed.actions)")
        #expect(deletes.allSatisfy { $0.reason.contains("taken out of group \"Google Sync\" in to") })
        #expect(sync.fromStore.live.isEmpty)
        #expect(h.people.contacts().count == 3)  // the Google contacts stay, in "Old Sync"
    }
}
