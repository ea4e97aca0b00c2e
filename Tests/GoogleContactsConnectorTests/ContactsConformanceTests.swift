import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

@testable import GoogleContactsConnector

/// The conformance suite's contact checks (`ContactConformance`) and the contact stamp scenario on
/// google_contacts against the People fake. The fake is seeded as the phone's user would add
/// contacts (no stamp) and read back through its own store, mapped as the connector maps a Person.
@Suite(.timeLimit(.minutes(10))) struct GoogleContactsConformanceTests {
    static func fixture(_ h: ContactsHarness) -> ContactFixture {
        let people = h.people
        return ContactFixture(
            connector: h.connector(),
            seed: { contacts in
                try contacts.map { c in
                    try people.seed(PersonMapping.person(c, origin: nil, memberships: nil), groups: c.groups)
                }
            },
            stored: {
                let byResource = Dictionary(uniqueKeysWithValues: people.groups().map { ($0.value, $0.key) })
                var out: [String: Contact] = [:]
                for person in people.contacts() {
                    guard let name = person["resourceName"] as? String else { continue }
                    out[name] =
                        PersonMapping.contact(person, groupName: { byResource[$0] }, defaultRegion: "US").contact
                }
                return out
            })
    }

    @Test(arguments: ContactConformance.checks)
    func contacts(_ check: ContactCheck) throws {
        let h = try ContactsHarness(pageSize: 2)
        defer { h.server.stop() }
        try check.run(Self.fixture(h))
    }

    @Test func stampsSurviveALostState() throws {
        let h = try ContactsHarness()
        defer { h.server.stop() }
        let result = try ContactStampScenario.run(try ContactStampScenario.harness(), to: h.connector(), count: 5)
        #expect(result.mismatches(listed: try listAll(h.connector()).items) == [])
        #expect(h.people.contacts().count == 5)
    }
}
