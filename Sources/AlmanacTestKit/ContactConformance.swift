import AlmanacCore
import AlmanacSync
import Foundation

/// The contact checks of the conformance suite: every connector that carries contacts
/// (`Connector.kinds` contains `.contacts`) runs them, with a connector made for a contacts job
/// (`ConnectorContext.kind = .contacts`) over an empty store:
///
/// ```swift
/// @Test(arguments: ContactConformance.checks)
/// func contacts(_ check: ContactCheck) throws {
///     let dir = try TemporaryDirectory()
///     var context = fileConnectorContext(["path": .string(dir.path + "/c.csv")], side: .to, dir: dir.url)
///     context.kind = .contacts
///     let connector = try CSVModule.make(context)
///     try check.run(ContactFixture(
///         connector: connector,
///         seed: { contacts in try writeRows(contacts, into: dir) },   // bypasses the connector
///         stored: { try readRows(from: dir) },                          // key → contact
///         deterministicCreates: false, versions: true))
/// }
///
/// @Test func contactStamps() throws {            // crash safety through the engine
///     let h = try ContactStampScenario.harness()
///     let result = try ContactStampScenario.run(h, to: myConnector(kind: .contacts))
///     #expect(result.mismatches(listed: try listAll(myConnector)) == [])
/// }
/// ```
///
/// `Tests/ConnectorTests/MemoryConformanceTests.swift` is the reference use.
public enum ContactConformance {
    public static let checks: [ContactCheck] = [
        carriesContacts, listsEveryContact, createRoundTrip, updateRoundTrip, deleteRemoves,
    ]

    /// Two windows no contact's date has to do with: a listing ignores them (windows do not apply).
    public static let windows = [
        ConnectorConformance.defaultWindow,
        TimeWindow(start: Date(timeIntervalSince1970: 631_152_000), end: Date(timeIntervalSince1970: 633_830_400)),
    ]

    static func listing(_ f: ContactFixture, _ window: TimeWindow, _ expect: Expect) throws -> [SourceItem] {
        let r = try ConnectorConformance.readAll(f.connector, ReadRequest(window: window))
        guard case .complete = r.coverage else {
            throw ConformanceFailure(check: expect.check, message: "a full listing of contacts is not complete")
        }
        try expect.that(Set(r.items.map(\.key)).count == r.items.count, "a contact is listed twice")
        for item in r.items {
            try expect.that(item.event.contact != nil, "\(item.key) is listed without a contact")
            try expect.that(item.event.start == Contact.envelopeStart, "\(item.key) is not in a contact envelope")
        }
        return r.items
    }

    static let carriesContacts = ContactCheck(name: "the connector says it carries contacts") { f, expect in
        try expect.that(f.connector.kinds.contains(.contacts), "kinds is \(f.connector.kinds.map(\.rawValue).sorted())")
    }

    static let listsEveryContact = ContactCheck(
        name: "a listing returns every contact once, whatever the window", requires: .read
    ) { f, expect in
        let contacts = f.sampleContacts(5, tag: "l")
        let keys = try f.seed(contacts)
        for window in windows {
            let items = try listing(f, window, expect)
            try expect.that(
                Set(items.map(\.key)) == Set(keys), "listed \(items.map(\.key).sorted()), seeded \(keys.sorted())")
            for (key, contact) in zip(keys, contacts) {
                let got = items.first { $0.key == key }!.event
                try expect.sameContact(got, contact.envelope(), shape: f.connector.contactShape, "contact \(key)")
            }
        }
    }

    static let createRoundTrip = ContactCheck(
        name: "a created contact reads back as written, with its id, and is not a change", requires: .write
    ) { f, expect in
        let contacts = f.sampleContacts(2, tag: "c")
        let ids = [String(repeating: "ab", count: 32), String(repeating: "ef", count: 32)]
        let changes = zip(ids, contacts).map { Change.create(id: $0, event: $1.envelope()) }
        let outcomes = try f.connector.write(changes)
        try expect.that(outcomes.count == 2, "two creates gave \(outcomes.count) outcomes")
        var keys: [String] = []
        for o in outcomes {
            guard case .written(let key, _) = o else {
                throw ConformanceFailure(check: expect.check, message: "create gave \(o)")
            }
            keys.append(key)
        }
        let stored = try f.stored().keys.sorted()
        try expect.that(stored == keys.sorted(), "store holds \(stored), want \(keys.sorted())")
        let items = try listing(f, windows[0], expect)
        let p = ContentProjection(fields: [], contactShape: f.connector.contactShape)
        for (i, key) in keys.enumerated() {
            guard let item = items.first(where: { $0.key == key }) else {
                throw ConformanceFailure(check: expect.check, message: "\(key) is not listed")
            }
            try expect.sameContact(
                item.event, contacts[i].envelope(), shape: f.connector.contactShape, "created \(key)")
            let same = p.hash(item.event) == p.hash(contacts[i].envelope())
            try expect.that(same, "\(key): a round trip changes the hash")
            try expect.that(
                key == ids[i] || item.event.origin == ids[i], "\(key) carries neither its id as key nor as origin stamp"
            )
        }
    }

    static let updateRoundTrip = ContactCheck(name: "an updated contact reads back as written", requires: .write) {
        f, expect in
        let keys = try f.seed(f.sampleContacts(1, tag: "u"))
        let before = try listing(f, windows[0], expect)
        guard let item = before.first(where: { $0.key == keys[0] }) else {
            throw ConformanceFailure(check: expect.check, message: "the seeded contact is not listed")
        }
        var contact = item.event.contact!
        contact.phones = [ContactPhone("+14155550199", kind: .work)]
        contact.emails = [ContactEmail("changed@example.org", kind: .work)]
        contact.notes = "changed"
        let out = try f.connector.write([
            .update(key: item.key, ifVersion: item.version, event: contact.envelope(origin: item.event.origin))
        ])
        guard case .written = out.first else {
            throw ConformanceFailure(check: expect.check, message: "update gave \(out)")
        }
        let after = try listing(f, windows[0], expect)
        try expect.that(after.count == 1, "after an update \(after.count) contacts are listed")
        try expect.sameContact(after[0].event, contact.envelope(), shape: f.connector.contactShape, "updated contact")
    }

    static let deleteRemoves = ContactCheck(name: "a deleted contact is no longer listed", requires: [.write, .delete])
    { f, expect in
        let keys = try f.seed(f.sampleContacts(2, tag: "d"))
        let listed = try listing(f, windows[0], expect)
        let version = listed.first { $0.key == keys[0] }?.version
        let out = try f.connector.write([.delete(key: keys[0], ifVersion: version)])
        guard case .written = out.first else {
            throw ConformanceFailure(check: expect.check, message: "delete gave \(out)")
        }
        let left = try f.stored().keys.sorted()
        try expect.that(left == [keys[1]], "store holds \(left)")
        try expect.that(
            try listing(f, windows[1], expect).map(\.key) == [keys[1]], "the deleted contact is still listed")
    }
}

/// One contact check; skipped when the connector lacks a capability it exercises or contacts.
public struct ContactCheck: Sendable, CustomStringConvertible {
    public let name: String
    public let requires: ConnectorCapabilities
    let body: @Sendable (ContactFixture, inout Expect) throws -> Void

    init(
        name: String, requires: ConnectorCapabilities = [],
        body: @escaping @Sendable (ContactFixture, inout Expect) throws -> Void
    ) {
        self.name = name
        self.requires = requires
        self.body = body
    }

    public var description: String { "contacts: " + name }

    /// Why the check does not apply, or nil.
    public func skipReason(_ f: ContactFixture) -> String? {
        let missing = requires.subtracting(f.connector.capabilities)
        return missing.isEmpty ? nil : "capabilities \(missing.names.joined(separator: ", ")) missing"
    }

    public func run(_ fixture: ContactFixture) throws {
        guard skipReason(fixture) == nil else { return }
        var expect = Expect(check: description)
        try body(fixture, &expect)
    }
}

/// What the contact checks need of one connector: made for a contacts job over an empty store,
/// with the store seeded and read without it.
public struct ContactFixture {
    public var connector: any Connector
    /// Puts contacts into the backing store directly; returns their keys in order.
    public var seed: ([Contact]) throws -> [String]
    /// The live contacts of the backing store now, by key, read without the connector.
    public var stored: () throws -> [String: Contact]

    public init(
        connector: any Connector, seed: @escaping ([Contact]) throws -> [String],
        stored: @escaping () throws -> [String: Contact]
    ) {
        self.connector = connector
        self.seed = seed
        self.stored = stored
    }

    /// Sample clients with every field filled (phones in E.164, as connectors store them).
    public func sampleContacts(_ count: Int, tag: String = "c") -> [Contact] {
        (0..<count).map { i in
            Contact(
                givenName: "Given \(tag)\(i)", familyName: "Family", displayName: "Given \(tag)\(i) Family",
                organization: "Clinic", jobTitle: "Client",
                emails: [ContactEmail("\(tag)\(i)@example.org", kind: .home)],
                phones: [
                    ContactPhone("+1415555\(1000 + i)", kind: .mobile),
                    ContactPhone("+442079460\(100 + i)", kind: .work),
                ],
                address: PostalAddress(
                    street: "\(i) Main St", city: "Springfield", region: "IL", postalCode: "62701", country: "US"),
                birthday: CivilDate(year: 1980, month: 2, day: 1 + i), notes: "Notes \(tag)\(i)",
                groups: ["Google Sync"], custom: ["balance": "\(i * 10)"])
        }
    }
}

extension Expect {
    /// Fails when `got` and `want` differ in one of the contact `fields`.
    public func sameContact(_ got: Event, _ want: Event, shape: ContactShape, _ what: String) throws {
        let p = ContentProjection(fields: [], contactShape: shape)
        let diff = p.contactDifferences(got, want)
        try that(
            diff.isEmpty,
            "\(what): fields differ: "
                + diff.map {
                    "\($0.rawValue): got \"\(p.contactValue($0, of: got))\", want \"\(p.contactValue($0, of: want))\""
                }
                .joined(separator: "; "))
    }
}

/// Crash safety of a `to` side for contacts through the engine: contacts created by almanac keep
/// the mark a lost state relinks them by. Syncs `count` clients from a memory store to `to`, edits
/// one and syncs again, then forgets the state (as a crash before the commit would) and syncs
/// again: every contact is linked, none created, none listed twice.
public enum ContactStampScenario {
    /// A one-way contacts job from a memory store (`harness.fromStore`).
    public static func harness() throws -> SyncHarness {
        try SyncHarness(job: "kind = \"contacts\"\ndirection = \"one-way\"", profileLines: "default_region = \"US\"")
    }

    public struct Result {
        public var first: RunReport
        public var update: RunReport
        public var relink: SyncOutcome
        public var count: Int

        /// Empty when the runs did what they should and `items` (what `to` lists afterwards) holds
        /// each client once, the edit included.
        public func mismatches(listed items: [SourceItem]) -> [String] {
            var out: [String] = []
            func check(_ ok: Bool, _ what: String) { if !ok { out.append(what) } }
            check(first.toCounts.created == count, "first run created \(first.toCounts.created)")
            check(update.toCounts.updated == 1, "the edit updated \(update.toCounts.updated)")
            check(relink.report.result == .success, "relink: \(relink.report.result) \(relink.report.error ?? "")")
            check(relink.report.toCounts.created == 0, "relink created \(relink.report.toCounts.created)")
            check(
                relink.actions.filter { $0.kind == .link }.count == count,
                "relink linked \(relink.actions.filter { $0.kind == .link }.count)")
            let names = items.compactMap { $0.event.contact?.shownName }
            check(names.count == count && Set(names).count == count, "listed \(names.sorted())")
            check(items.contains { $0.event.contact?.notes == "edited" }, "the edit is not on to")
            return out
        }
    }

    public static func run(_ h: SyncHarness, to: any Connector, count: Int = 3) throws -> Result {
        let fixture = ContactFixture(connector: to, seed: { _ in [] }, stored: { [:] })
        let keys = try h.fromStore.put(contentsOf: fixture.sampleContacts(count, tag: "s").map { $0.envelope() })
        let first = try h.run(to: to).report
        try h.fromStore.edit(keys[0]) { $0.contact!.notes = "edited" }
        let update = try h.run(to: to).report
        let fresh = try StateStore(path: h.directory.appendingPathComponent("forgotten.sqlite").path)
        return Result(first: first, update: update, relink: try h.run(to: to, store: fresh), count: count)
    }
}

extension ContactFixture {
    /// The contact fixture of a connector whose `ConformanceFixture` seeds and stores contact
    /// envelopes (`Contact.envelope`): the file and database connectors' fixtures.
    public init(envelopes f: ConformanceFixture) {
        self.init(
            connector: f.connector, seed: { contacts in try f.seed(contacts.map { $0.envelope() }) },
            stored: { try f.stored().compactMapValues(\.contact) })
    }
}
