import AlmanacCore
import AlmanacSync
import Foundation

/// The scenario of a contacts side that stores fewer parts than the other (a CSV header or an
/// XML document with a few contact columns): a two-way contacts job between a memory side that
/// stores everything (`from`) and the narrow connector (`to`), through edits on both sides.
///
/// `wide` is created on the narrow side, which then holds what its `contactShape` stores; a run
/// after it changes nothing; an edit of the narrow side's name and first e-mail reaches the wide
/// side, every part the narrow side cannot hold intact; an edit of the wide side's name, phone
/// and notes reaches the narrow side as the name only. Each step is checked; the failures come
/// back as text (empty: the side keeps to its shape).
public enum NarrowSideScenario {
    /// A contact with every part, three e-mails, a phone of each kind and a custom field.
    public static let wide = Contact(
        givenName: "Ada", familyName: "Byron", displayName: "Countess Lovelace", organization: "Analytical",
        jobTitle: "Programmer",
        emails: [
            ContactEmail("ada@example.org", kind: .home), ContactEmail("ada@work.example", kind: .work),
            ContactEmail("ada@third.example", kind: .other),
        ],
        phones: [
            ContactPhone("+14155550001", kind: .mobile), ContactPhone("+14155550002", kind: .home),
            ContactPhone("+14155550003", kind: .work), ContactPhone("+14155550004", kind: .other),
        ],
        address: PostalAddress(
            street: "1 Main St", city: "Springfield", region: "IL", postalCode: "62701", country: "US"),
        birthday: CivilDate(year: 1815, month: 12, day: 10), notes: "Notes", groups: ["VIP"], custom: ["balance": "10"])

    /// A fresh two-way contacts job (`default_region = "US"`) for the scenario.
    public static func harness() throws -> SyncHarness {
        try SyncHarness(job: "kind = \"contacts\"\ndirection = \"two-way\"", profileLines: "default_region = \"US\"")
    }

    /// Runs the scenario with `narrow` as the job's `to` side (holding no contact named "Ada"
    /// before); returns what went wrong.
    public static func run(_ h: SyncHarness, narrow: any Connector) throws -> [String] {
        var out: [String] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok { out.append(what()) } }
        func quiet(_ step: String) throws {
            let r = try h.run(to: narrow).report
            check(
                r.result == .success && r.fromCounts.changed == 0 && r.toCounts.changed == 0,
                "\(step): a run after it changed \(r.fromCounts.changed)/\(r.toCounts.changed) (\(r.error ?? ""))")
        }
        func narrowItem() throws -> SourceItem? {
            try narrow.readListing(ReadRequest(window: ConnectorConformance.defaultWindow)).items.first {
                $0.event.contact?.givenName == "Ada"
            }
        }
        let shape = narrow.contactShape
        let fromKey = try h.fromStore.put(wide.envelope())
        let first = try h.run(to: narrow).report
        check(first.toCounts.created == 1, "create: \(first.toCounts.created) created (\(first.error ?? ""))")
        guard let created = try narrowItem() else { return out + ["create: no contact Ada on the narrow side"] }
        check(
            created.event.contact == shape.restricting(wide),
            "create: the narrow side holds \(String(describing: created.event.contact))")
        try quiet("create")

        // The narrow side's edit: its name and first e-mail.
        var edited = created.event
        edited.contact?.familyName = "King"
        edited.contact?.emails[0].address = "ada@king.example"
        _ = try narrow.write([.update(key: created.key, ifVersion: created.version, event: edited)])
        let back = try h.run(to: narrow).report
        check(back.fromCounts.updated == 1, "narrow edit: \(back.fromCounts.updated) updated on the wide side")
        var want = wide
        want.familyName = "King"
        want.emails[0].address = "ada@king.example"
        let got = h.fromStore.live[fromKey]?.event.contact
        check(got == want, "narrow edit: the wide side holds \(String(describing: got))")
        try quiet("narrow edit")

        // The wide side's edit: its name, a phone and the notes.
        try h.fromStore.edit(fromKey) {
            $0.contact?.familyName = "Byron"
            $0.contact?.phones[0].number = "+14155550009"
            $0.contact?.notes = "Changed"
        }
        let forth = try h.run(to: narrow).report
        check(forth.toCounts.updated == 1, "wide edit: \(forth.toCounts.updated) updated on the narrow side")
        want.familyName = "Byron"
        want.phones[0].number = "+14155550009"
        want.notes = "Changed"
        check(h.fromStore.live[fromKey]?.event.contact == want, "wide edit: the wide side changed")
        let now = try narrowItem()?.event.contact
        check(now == shape.restricting(want), "wide edit: the narrow side holds \(String(describing: now))")
        try quiet("wide edit")
        return out
    }
}
