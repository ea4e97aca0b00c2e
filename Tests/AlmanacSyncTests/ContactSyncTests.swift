import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// Contacts through the engine between two memory stores (`kind = "contacts"`): creates, round
/// trips, edits, deletions, no windows, `groups` both ways.
@Suite(.timeLimit(.minutes(10))) struct ContactSyncTests {
    static func harness(
        _ job: String = "", from: MemoryStore.Options = .init(), to: MemoryStore.Options = .init()
    ) throws -> SyncHarness {
        try SyncHarness(
            job: "kind = \"contacts\"\n" + job, profileLines: "default_region = \"US\"", fromOptions: from,
            toOptions: to)
    }

    /// Client `i`: names, a home e-mail, a mobile in E.164, an address, a birthday, notes.
    static func client(_ i: Int, groups: [String] = []) -> Event {
        Contact(
            givenName: "Given\(i)", familyName: "Family\(i)", organization: "Org \(i % 5)",
            emails: [ContactEmail("client\(i)@example.org", kind: .home)],
            phones: [ContactPhone("+1415555\(String(1000 + i))", kind: .mobile)],
            address: PostalAddress(street: "\(i) Main St", city: "Springfield", country: "US"),
            birthday: CivilDate(year: 1980, month: 1 + i % 12, day: 1 + i % 28), notes: "Notes \(i)",
            groups: groups, custom: ["balance": "\(i * 10)"]
        ).envelope()
    }

    static func names(_ store: MemoryStore) -> [String] {
        store.live.values.map { $0.event.contact?.shownName ?? "-" }.sorted()
    }

    @Test func oneWayCreatesEveryContactWhateverTheWindowAndARoundTripIsNoChange() throws {
        let h = try Self.harness("direction = \"one-way\"")
        try h.fromStore.put(contentsOf: (0..<20).map { Self.client($0) })
        let first = try h.run().report
        #expect(first.result == .success, "\(first)")
        #expect(first.toCounts.created == 20)
        #expect(Self.names(h.toStore) == Self.names(h.fromStore))
        // What arrived is the contact as written, stamped with its create id.
        for r in h.toStore.live.values {
            let source = try #require(
                h.fromStore.live.values.first { $0.event.contact?.shownName == r.event.contact?.shownName })
            #expect(r.event.contact == source.event.contact)
            #expect(r.event.origin == r.key)
        }
        let second = try h.run().report
        #expect(second.toCounts.changed == 0 && second.toCounts.unchanged == 20, "\(second)")
        // A full re-read (no cursor) finds them the same: windows do not apply.
        let full = try h.run(RunOptions(full: true)).report
        #expect(full.toCounts.changed == 0 && full.toCounts.unchanged == 20, "\(full)")
    }

    @Test func editsAndDeletesReachTheOtherSide() throws {
        let h = try Self.harness("direction = \"one-way\"")
        let keys = try h.fromStore.put(contentsOf: (0..<5).map { Self.client($0) })
        try h.run()
        try h.fromStore.edit(keys[0]) { $0.contact!.phones = [ContactPhone("+14155550000", kind: .work)] }
        try h.fromStore.remove(keys[1])
        let r = try h.run().report
        #expect(r.toCounts.updated == 1 && r.toCounts.deleted == 1, "\(r)")
        let phones = h.toStore.live.values.compactMap { $0.event.contact?.phones.first?.number }
        #expect(phones.contains("+14155550000"))
        #expect(Self.names(h.toStore) == ["Given0 Family0", "Given2 Family2", "Given3 Family3", "Given4 Family4"])
    }

    /// Normalisation: address case, group order, empty texts and fields one side does not
    /// store are not changes.
    @Test func normalisedDifferencesAreNotChanges() throws {
        var narrow = MemoryStore.Options()
        narrow.contactFields = [.name, .emails, .phones, .groups]
        let h = try Self.harness("direction = \"two-way\"", to: narrow)
        try h.fromStore.put(Self.client(1, groups: ["B", "A"]))
        #expect(try h.run().report.toCounts.created == 1)
        let key = try #require(h.toStore.live.keys.first)
        #expect(h.toStore.live[key]?.event.contact?.notes == nil)  // not stored there
        try h.toStore.edit(key) { e in
            e.contact!.emails[0].address = "CLIENT1@Example.ORG"
            e.contact!.groups = ["A", "B", "A"]
            e.contact!.displayName = ""
        }
        let r = try h.run().report
        #expect(r.toCounts.changed == 0 && r.fromCounts.changed == 0, "\(r)")
        try h.toStore.edit(key) { $0.contact!.phones.append(ContactPhone("+14155559999", kind: .work)) }
        let back = try h.run().report
        #expect(back.fromCounts.updated == 1, "\(back)")
        let from = try #require(h.fromStore.live.values.first?.event.contact)
        #expect(from.phones.map(\.number) == ["+14155551001", "+14155559999"])
        #expect(from.notes == "Notes 1")  // a field `to` does not store is kept on `from`
    }

    /// Both sides changed one field differently: the policy decides, and the conflict is reported.
    @Test func aConflictOnAContactFieldIsResolvedAndReported() throws {
        let h = try Self.harness("direction = \"two-way\"")
        let key = try h.fromStore.put(Self.client(1))
        try h.run()
        let toKey = try #require(h.toStore.live.keys.first)
        try h.fromStore.edit(key) { $0.contact!.notes = "from" }
        try h.toStore.edit(toKey) { $0.contact!.notes = "to" }
        let out = try h.run()
        #expect(out.report.toCounts.conflicts == 1 && out.report.toCounts.updated == 1, "\(out.report)")
        #expect(out.actions.contains { $0.line.hasSuffix("changed in from (conflict on notes)") })
        #expect(h.toStore.live[toKey]?.event.contact?.notes == "from")  // from-wins
    }

    @Test func aDeletedContactIsNeitherCancelledNorConfirmed() throws {
        let h = try Self.harness("direction = \"two-way\"\napply_back = { delete = true }")
        try h.fromStore.put(contentsOf: (0..<3).map { Self.client($0) })
        try h.run()
        try h.toStore.remove(try #require(h.toStore.live.keys.sorted().first))
        let r = try h.run().report
        #expect(r.fromCounts.deleted == 1 && r.fromCounts.cancelled == 0, "\(r)")
        #expect(h.fromStore.live.values.allSatisfy { $0.writeBacks.isEmpty })
        #expect(h.fromStore.live.count == 2)
    }

    @Test func massDeleteGuardAndDryRunApply() throws {
        let h = try Self.harness("direction = \"one-way\"")
        let keys = try h.fromStore.put(contentsOf: (0..<10).map { Self.client($0) })
        let dry = try h.run(RunOptions(dryRun: true))
        #expect(dry.report.toCounts.created == 10)
        #expect(h.toStore.live.isEmpty)
        #expect(dry.actions.filter { $0.kind == .create }.count == 10)
        try h.run()
        for k in keys.prefix(5) { try h.fromStore.remove(k) }
        let blocked = try h.run().report
        #expect(blocked.result == .blocked, "\(blocked)")
        #expect(h.toStore.live.count == 10)
    }
}

/// `groups = ["Google Sync"]` both ways (issue 18 build item 4).
@Suite(.timeLimit(.minutes(10))) struct ContactGroupTests {
    static let sync = "Google Sync"

    static func harness(_ job: String) throws -> SyncHarness {
        try ContactSyncTests.harness("groups = [\"\(sync)\"]\n" + job)
    }

    @Test func onlyMembersGoOutAndLeavingTheGroupRemovesWhatTheJobMade() throws {
        let h = try Self.harness("direction = \"one-way\"")
        var keys: [String] = []
        for i in 0..<10 {
            keys.append(try h.fromStore.put(ContactSyncTests.client(i, groups: i < 6 ? [Self.sync] : ["Other"])))
        }
        let first = try h.run().report
        #expect(first.toCounts.created == 6, "\(first)")
        #expect(h.toStore.live.values.allSatisfy { $0.event.contact?.groups.contains(Self.sync) == true })
        try h.fromStore.edit(keys[0]) { $0.contact!.groups = [] }
        let second = try h.run().report
        #expect(second.toCounts.deleted == 1 && second.toCounts.created == 0, "\(second)")
        #expect(h.toStore.live.count == 5)
        try h.fromStore.edit(keys[0]) { $0.contact!.groups = [Self.sync] }
        #expect(try h.run().report.toCounts.created == 1)
        #expect(h.toStore.live.count == 6)
    }

    /// A contact on `to` that a first link paired with a client was there before the job (its
    /// state says `found`): it is put in the group, and left on `to` when the client leaves it.
    @Test func aContactLinkedByMatchIsPutInTheGroupAndLeftWhenTheClientLeaves() throws {
        let h = try Self.harness("direction = \"one-way\"")
        let key = try h.fromStore.put(ContactSyncTests.client(1, groups: [Self.sync]))
        try h.toStore.put(ContactSyncTests.client(1).contact!.envelope(), key: "phone1")
        let first = try h.run().report
        #expect(first.linked == 1 && first.toCounts.created == 0, "\(first)")
        #expect(h.toStore.live["phone1"]?.event.contact?.groups == [Self.sync])
        try h.fromStore.edit(key) { $0.contact!.groups = [] }
        let second = try h.run()
        #expect(second.report.toCounts.deleted == 0, "\(second.report)")
        #expect(h.toStore.live["phone1"] != nil)
        #expect(second.actions.map(\.line).contains { $0.contains("left in to: not created by this job") })
    }

    /// Under `to-wins` a first link takes the `to` side's fields, but not out of the job's group.
    @Test func aFirstLinkUnderToWinsKeepsTheGroup() throws {
        let h = try Self.harness("direction = \"two-way\"\nconflict = \"to-wins\"")
        try h.fromStore.put(ContactSyncTests.client(1, groups: [Self.sync, "VIP"]))
        var mine = ContactSyncTests.client(1).contact!
        mine.notes = "from the phone"
        mine.groups = ["Family"]
        try h.toStore.put(mine.envelope(), key: "phone1")
        let first = try h.run().report
        #expect(first.linked == 1 && first.result == .success, "\(first)")
        let to = try #require(h.toStore.live["phone1"]?.event.contact)
        let from = try #require(h.fromStore.live.values.first?.event.contact)
        #expect(to.notes == "from the phone" && from.notes == "from the phone")
        #expect(Set(to.groups) == [Self.sync, "Family"] && Set(from.groups) == [Self.sync, "Family"])
        let second = try h.run().report
        #expect(second.toCounts.changed == 0 && second.fromCounts.changed == 0, "\(second)")
        #expect(h.toStore.live.count == 1)
    }

    @Test func contactsAddedToTheGroupOnToComeBackOnlyWithApplyBackCreate() throws {
        for create in [true, false] {
            let h = try Self.harness("direction = \"two-way\"\napply_back = { create = \(create) }")
            try h.fromStore.put(ContactSyncTests.client(1, groups: [Self.sync]))
            try h.run()
            try h.toStore.put(Contact(displayName: "New On Phone", groups: [Self.sync]).envelope(), key: "p1")
            try h.toStore.put(Contact(displayName: "Private", groups: ["Family"]).envelope(), key: "p2")
            let r = try h.run().report
            #expect(r.fromCounts.created == (create ? 1 : 0), "\(r)")
            #expect(
                ContactSyncTests.names(h.fromStore)
                    == (create ? ["Given1 Family1", "New On Phone"] : ["Given1 Family1"]))
            #expect(try h.run().report.fromCounts.created == 0)  // once
            #expect(h.toStore.live.count == 3)
        }
    }

    @Test func takingALinkedContactOutOfTheGroupOnToDeletesOnlyWithApplyBackDelete() throws {
        for delete in [false, true] {
            let h = try Self.harness("direction = \"two-way\"\napply_back = { delete = \(delete) }")
            try h.fromStore.put(contentsOf: (0..<3).map { ContactSyncTests.client($0, groups: [Self.sync]) })
            try h.run()
            let key = try #require(h.toStore.live.keys.sorted().first)
            try h.toStore.edit(key) { $0.contact!.groups = [] }
            let out = try h.run()
            #expect(out.report.fromCounts.deleted == (delete ? 1 : 0), "\(out.report)")
            #expect(h.fromStore.live.count == (delete ? 2 : 3))
            #expect(h.toStore.live.count == 3)  // the phone keeps its contact, outside the group
            #expect(h.toStore.live[key]?.event.contact?.groups == [])
            if !delete {
                #expect(
                    out.actions.contains {
                        $0.kind == .skip && $0.reason.hasPrefix("taken out of group \"Google Sync\" in to")
                    })
                // Left alone: a later edit on `from` does not put it back; back in the group, it syncs.
                let name = h.toStore.live[key]?.event.contact?.shownName
                let fromKey = try #require(h.fromStore.live.first { $0.value.event.contact?.shownName == name }?.key)
                try h.fromStore.edit(fromKey) { $0.contact!.notes = "edited" }
                #expect(try h.run().report.toCounts.updated == 0)
                try h.toStore.edit(key) { $0.contact!.groups = [Self.sync] }
                let again = try h.run().report
                #expect(again.result == .success, "\(again)")
                #expect(h.toStore.live[key]?.event.contact?.groups == [Self.sync])
                #expect(h.toStore.live[key]?.event.contact?.notes == "edited")  // the edit made meanwhile arrives
            }
        }
    }

    @Test func groupsNeedMembershipsOnBothSides() throws {
        var noGroups = MemoryStore.Options()
        noGroups.contactFields = [.name, .emails]
        let h = try Self.harness("direction = \"one-way\"")
        let engine = Result {
            try h.engine(to: MemoryConnector(store: MemoryStore(options: noGroups), kind: .contacts))
        }
        #expect(throws: AlmanacError.self) { try engine.get() }
        if case .failure(let e as AlmanacError) = engine {
            #expect(
                e.message == "job j: groups needs group memberships on both sides, and the to side does not store them")
        }
    }
}
