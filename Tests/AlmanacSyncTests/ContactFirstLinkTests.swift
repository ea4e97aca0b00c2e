import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import AlmanacSync

/// First link of a contacts job (issue 18 build item 5): e-mail, then phone (E.164 with the
/// profile's `default_region`), then name with a shared e-mail or phone; ambiguous groups are
/// reported and left alone.
@Suite(.timeLimit(.minutes(10))) struct ContactFirstLinkTests {
    /// 1,000 clients on `from`; 300 of them already on `to`: 145 by e-mail (in capitals), 145 by
    /// phone (US national format), and 5 households of two clients sharing one e-mail address,
    /// each client of a household also on `to` (5 ambiguous groups of 2 and 2).
    static func seeded() throws -> SyncHarness {
        let h = try ContactSyncTests.harness("direction = \"two-way\"\napply_back = { create = true }")
        var clients = (0..<1_000).map { ContactSyncTests.client($0).contact! }
        for k in 0..<5 {
            clients[900 + 2 * k].emails = [ContactEmail("household\(k)@example.org")]
            clients[901 + 2 * k].emails = [ContactEmail("household\(k)@example.org")]
        }
        try h.fromStore.put(contentsOf: clients.map { $0.envelope() })
        for i in 0..<145 {
            try h.toStore.put(
                Contact(displayName: "G\(i)", emails: [ContactEmail("CLIENT\(i)@EXAMPLE.ORG", kind: .work)]).envelope(),
                key: "e\(i)")
        }
        for i in 145..<290 {
            try h.toStore.put(
                Contact(displayName: "P\(i)", phones: [ContactPhone("(415) 555-\(1000 + i)")]).envelope(), key: "p\(i)")
        }
        for k in 0..<5 {
            for j in 0..<2 {
                try h.toStore.put(
                    Contact(displayName: "Household \(k)-\(j)", emails: [ContactEmail("Household\(k)@example.org")])
                        .envelope(), key: "h\(k)x\(j)")
            }
        }
        return h
    }

    @Test func threeHundredOfAThousandEndWithAThousandAndTheAmbiguousReportedAndUntouched() throws {
        let h = try Self.seeded()
        #expect(h.toStore.live.count == 300)
        let dry = try h.run(RunOptions(dryRun: true))
        let ambiguous = dry.actions.filter { $0.kind == .ambiguous }
        #expect(ambiguous.count == 5)
        #expect(ambiguous.allSatisfy { $0.reason.hasPrefix("same email as h") }, "\(ambiguous.map(\.line))")
        #expect(h.toStore.live.count == 300)

        let r = try h.run().report
        #expect(r.result == .success, "\(r)")
        #expect(r.linked == 290)
        #expect(r.toCounts.created == 700)
        #expect(r.fromCounts.created == 0)
        #expect(r.ambiguous?.count == 5)
        #expect(r.ambiguous?.first == AmbiguousMatch(from: ["m901", "m902"], to: ["h0x0", "h0x1"]))
        #expect(h.toStore.live.count == 1_000)
        #expect(h.fromStore.live.count == 1_000)
        for k in 0..<5 {
            for j in 0..<2 {
                let r = try #require(h.toStore.live["h\(k)x\(j)"])
                #expect(r.version == 1 && r.event.origin == nil)  // untouched
            }
        }
        // Linked by phone: the contact now carries the client's name and number.
        #expect(h.toStore.live["p200"]?.event.contact?.shownName == "Given200 Family200")
        #expect(h.toStore.live["e3"]?.event.contact?.emails.map(\.address) == ["client3@example.org"])
        let emails = h.toStore.live.values.flatMap { $0.event.contact?.emails.map { $0.address.lowercased() } ?? [] }
        #expect(Set(emails).count == 995)  // every client once; five shared household addresses

        let again = try h.run().report
        #expect(again.toCounts.created == 0 && again.fromCounts.created == 0, "\(again)")
        #expect(again.ambiguous?.count == 5)
        #expect(h.toStore.live.count == 1_000)
    }

    @Test func stagesGoInOrderAndNameNeedsASharedValue() {
        typealias C = ContactMatcherProbe
        let from = [
            C.candidate("f1", name: "Ann Lee", email: "ann@x.org", phone: "+14155550101"),
            C.candidate("f2", name: "Bob Roe", phone: "555-0102 ext 9"),
            C.candidate("f3", name: "Cy Doe", phone: "+442079460958"),
            C.candidate("f4", name: "Di Poe", email: "di@x.org"),
        ]
        let to = [
            C.candidate("t1", name: "A. Lee", email: "ANN@X.ORG", phone: "+14155550199"),
            C.candidate("t2", name: "Bob Roe", phone: "555.0102 x9"),
            C.candidate("t3", name: "Cyrus", phone: "020 7946 0958"),
            C.candidate("t4", name: "Di Poe", email: "other@x.org"),
        ]
        let pairs = C.match(from: from, to: to, region: "GB")
        #expect(pairs == ["f1-t1 email", "f2-t2 name", "f3-t3 phone"])
        #expect(C.match(from: from, to: to, region: "GB", rules: [.name]) == ["f2-t2 name"])
    }
}

/// `ContactMatcher` on hand-made candidates, its pairs as `from-to rule`.
enum ContactMatcherProbe {
    static func candidate(_ key: String, name: String, email: String? = nil, phone: String? = nil)
        -> ContactMatcher.Candidate
    {
        ContactMatcher.Candidate(
            key: key,
            contact: Contact(
                displayName: name, emails: email.map { [ContactEmail($0)] } ?? [],
                phones: phone.map { [ContactPhone($0)] } ?? []))
    }

    static func match(
        from: [ContactMatcher.Candidate], to: [ContactMatcher.Candidate], region: String?,
        rules: [ContactMatchRule] = ContactMatchRule.defaults
    ) -> [String] {
        ContactMatcher(rules: rules, defaultRegion: region).match(from: from, to: to).pairs.map {
            "\($0.from)-\($0.to) \($0.rule)"
        }
    }
}
