import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// A contacts job between a wide side (everything) and a narrow one that stores fewer parts, as
/// a practice table does (`ContactShape`): the job compares only the shared parts, so a round
/// trip is no change, and a merge toward the wide side keeps every part the narrow one cannot
/// hold.
@Suite(.timeLimit(.minutes(10))) struct ContactShapeTests {
    /// The shape of the ODBC test table: given and family names, organization without job title,
    /// two e-mails (the kind of the first), mobile and home phones, street, city and postal code.
    static let narrowShape = ContactShape(
        names: [.given, .family], organization: true, emails: 2, emailKinds: 1, phoneKinds: [.mobile, .home],
        phonesPerKind: 1, addressParts: [.street, .city, .postalCode], notes: true)

    /// A two-way job with the narrow side on `to`, or on `from` (a practice database syncing to
    /// Google).
    static func harness(narrowOnFrom: Bool = false) throws -> SyncHarness {
        var narrow = MemoryStore.Options()
        narrow.contactShape = narrowShape
        return try SyncHarness(
            job: "kind = \"contacts\"\ndirection = \"two-way\"", profileLines: "default_region = \"US\"",
            fromOptions: narrowOnFrom ? narrow : .init(), toOptions: narrowOnFrom ? .init() : narrow)
    }

    /// A contact with every part, several of which the narrow side cannot hold.
    static let wide = NarrowSideScenario.wide

    /// Seeds `wide` on the wide side, syncs it over and checks the narrow copy holds only its
    /// parts; returns the harness and both keys.
    static func linked() throws -> (SyncHarness, from: String, to: String) {
        let h = try harness()
        let key = try h.fromStore.put(wide.envelope())
        let first = try h.run().report
        #expect(first.toCounts.created == 1, "\(first)")
        let toKey = try #require(h.toStore.live.keys.first)
        #expect(h.toStore.live[toKey]?.event.contact == narrowShape.restricting(wide))
        let again = try h.run().report
        #expect(again.toCounts.changed == 0 && again.fromCounts.changed == 0, "\(again)")
        return (h, key, toKey)
    }

    /// Edits the narrow side with `edit`, syncs, and returns the wide side's contact; a run after
    /// it changes nothing.
    static func narrowEdit(_ edit: (inout Contact) -> Void) throws -> Contact {
        let (h, from, to) = try linked()
        try h.toStore.edit(to) { edit(&$0.contact!) }
        let r = try h.run().report
        #expect(r.fromCounts.updated == 1, "\(r)")
        let after = try h.run().report
        #expect(after.toCounts.changed == 0 && after.fromCounts.changed == 0, "\(after)")
        return try #require(h.fromStore.live[from]?.event.contact)
    }

    @Test func aDerivedDisplayNameIsNoChange() {
        let p = ContentProjection(fields: [], contactShape: .full)
        let derived = Contact(givenName: "Ada", familyName: "Byron", displayName: "Ada Byron").envelope()
        let none = Contact(givenName: "Ada", familyName: "Byron").envelope()
        let other = Contact(givenName: "Ada", familyName: "Byron", displayName: "Ada King").envelope()
        #expect(p.same(derived, none))
        #expect(p.hash(derived) == p.hash(none))
        #expect(!p.same(other, none))
        // A side without given and family names compares the shown name.
        let shown = ContentProjection(fields: [], contactShape: ContactShape(names: [.display]))
        #expect(shown.same(Contact(displayName: "Ada Byron").envelope(), none))
        #expect(!shown.same(Contact(displayName: "Ada King").envelope(), none))
    }

    @Test func nameParts() throws {
        let wide = try Self.narrowEdit { $0.familyName = "King" }
        #expect(wide.givenName == "Ada" && wide.familyName == "King")
        #expect(wide.displayName == "Countess Lovelace")  // not stored on the narrow side
    }

    @Test func jobTitle() throws {
        let wide = try Self.narrowEdit { $0.organization = "Difference Engine" }
        #expect(wide.organization == "Difference Engine")
        #expect(wide.jobTitle == "Programmer")
    }

    @Test func emailsBeyondTheCapacity() throws {
        let wide = try Self.narrowEdit { $0.emails[1] = ContactEmail("ada@new.example") }
        // The second address changes, its kind (not stored there) stays; the third is kept.
        #expect(
            wide.emails == [
                ContactEmail("ada@example.org", kind: .home), ContactEmail("ada@new.example", kind: .work),
                ContactEmail("ada@third.example", kind: .other),
            ])
    }

    @Test func phoneKinds() throws {
        let wide = try Self.narrowEdit { $0.phones = [ContactPhone("+14155559999", kind: .mobile)] }
        #expect(
            wide.phones == [
                ContactPhone("+14155559999", kind: .mobile), ContactPhone("+14155550003", kind: .work),
                ContactPhone("+14155550004", kind: .other),
            ])
    }

    @Test func addressParts() throws {
        let wide = try Self.narrowEdit { $0.address?.city = "Shelbyville" }
        #expect(
            wide.address
                == PostalAddress(
                    street: "1 Main St", city: "Shelbyville", region: "IL", postalCode: "62701", country: "US"))
    }

    @Test func fieldsTheNarrowSideLacksEntirely() throws {
        let wide = try Self.narrowEdit { $0.notes = "New notes" }
        #expect(wide.notes == "New notes")
        #expect(wide.birthday == CivilDate(year: 1815, month: 12, day: 10))
        #expect(wide.groups == ["VIP"] && wide.custom == ["balance": "10"])
    }

    /// Random edits on both sides over many runs, the narrow side on `to` or on `from`: a run
    /// after each changes nothing, and the wide side keeps every part the narrow side cannot hold
    /// (unless it edited it itself).
    @Test(arguments: [1, 2, 3, 4], [false, true])
    func randomEditsNeverLoseWhatTheNarrowSideCannotHold(seed: UInt64, narrowOnFrom: Bool) throws {
        var rng = SplitMix(seed)
        let h = try Self.harness(narrowOnFrom: narrowOnFrom)
        let (wideStore, narrowStore) = narrowOnFrom ? (h.toStore, h.fromStore) : (h.fromStore, h.toStore)
        let contacts = (0..<6).map { i in
            var c = Self.wide
            c.givenName = "Ada\(i)"
            return c
        }
        try h.fromStore.put(contentsOf: contacts.map { $0.envelope() })
        try h.run()
        if narrowOnFrom {  // the copies on `to` get the parts the narrow side could not send
            for (k, r) in wideStore.live {
                let c = try #require(contacts.first { $0.givenName == r.event.contact?.givenName })
                try wideStore.edit(k) { $0.contact = c }
            }
            try h.run()
        }
        let keys = wideStore.live.keys.sorted()
        #expect(keys.count == 6)
        var expected: [String: Hidden] = [:]
        for k in keys { expected[k] = Hidden(try #require(wideStore.live[k]?.event.contact)) }
        #expect(expected.values.allSatisfy { $0.jobTitle == "Programmer" && $0.region == "IL" })
        let what = "seed \(seed), narrow on \(narrowOnFrom ? "from" : "to")"
        for round in 0..<8 {
            for k in keys where rng.next() % 3 == 0 {
                try wideStore.edit(k) { RandomEdit.wide(&$0.contact!, rng: &rng, round: round) }
                expected[k] = Hidden(try #require(wideStore.live[k]?.event.contact))
            }
            for k in narrowStore.live.keys.sorted() where rng.next() % 3 == 0 {
                try narrowStore.edit(k) { RandomEdit.narrow(&$0.contact!, rng: &rng, round: round) }
            }
            let r = try h.run().report
            #expect(r.result == .success, "\(what) round \(round): \(r)")
            let again = try h.run().report
            #expect(again.toCounts.changed == 0 && again.fromCounts.changed == 0, "\(what) round \(round): \(again)")
            for k in keys {
                let now = Hidden(try #require(wideStore.live[k]?.event.contact))
                let before = try #require(expected[k])
                #expect(now.keeps(before), "\(what) round \(round) \(k): \(before) → \(now)")
                expected[k] = now
            }
        }
    }
}

/// The parts of a wide contact the narrow shape cannot hold.
struct Hidden: Equatable, CustomStringConvertible {
    var display: String?
    var jobTitle: String?
    var extraEmails: [String]
    var otherPhones: [ContactPhone]
    var region: String?
    var country: String?
    var birthday: CivilDate?
    var groups: [String]
    /// Every address of the contact, in order.
    var allEmails: [String]

    init(_ c: Contact) {
        allEmails = c.emails.map(\.address)
        display = c.displayName
        jobTitle = c.jobTitle
        extraEmails = c.emails.dropFirst(ContactShapeTests.narrowShape.emails).map(\.address)
        otherPhones = c.phones.filter { $0.kind == .work || $0.kind == .other }
        region = c.address?.region
        country = c.address?.country
        birthday = c.birthday
        groups = c.groups
    }

    /// Whether `self` (after a run) still holds what `before` held: the same parts, and every
    /// extra e-mail still listed (one may move up into the shared window when the narrow side
    /// removes an address).
    func keeps(_ before: Hidden) -> Bool {
        display == before.display && jobTitle == before.jobTitle && otherPhones == before.otherPhones
            && region == before.region && country == before.country && birthday == before.birthday
            && groups == before.groups && before.extraEmails.allSatisfy(allEmails.contains)
    }

    var description: String {
        "display \(display ?? "-"), job \(jobTitle ?? "-"), emails \(extraEmails), phones \(otherPhones.map(\.number)), "
            + "region \(region ?? "-"), country \(country ?? "-")"
    }
}

/// Random edits of the parts each side stores.
enum RandomEdit {
    static func wide(_ c: inout Contact, rng: inout SplitMix, round: Int) {
        switch rng.next() % 6 {
        case 0: c.jobTitle = "Title \(round)"
        case 1: c.address?.region = "R\(round)"
        case 2: c.emails.append(ContactEmail("w\(round)@example.org", kind: .work))
        case 3: c.phones.append(ContactPhone("+1415555\(2000 + round)", kind: .work))
        case 4: c.displayName = "Shown \(round)"
        default: c.notes = "wide \(round)"
        }
    }

    static func narrow(_ c: inout Contact, rng: inout SplitMix, round: Int) {
        switch rng.next() % 6 {
        case 0: c.familyName = "Family \(round)"
        case 1: c.address?.city = "City \(round)"
        case 2: if !c.emails.isEmpty { c.emails[c.emails.count - 1].address = "n\(round)@example.org" }
        case 3: c.phones = [ContactPhone("+1415555\(3000 + round)", kind: .mobile)]
        case 4: c.organization = "Org \(round)"
        default: c.notes = "narrow \(round)"
        }
    }
}

/// A seeded generator (SplitMix64), so a failing seed can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
