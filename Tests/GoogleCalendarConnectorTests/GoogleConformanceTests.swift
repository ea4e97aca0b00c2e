import AlmanacCore
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

@testable import GoogleCalendarConnector

/// The connector conformance suite on the google connector against the fake Google, with short
/// pages. The fake's admin calls seed and inspect the calendar without the connector.
@Suite("google conformance", .serialized, .timeLimit(.minutes(10)))
struct GoogleConformanceTests {
    static func fixture() throws -> ConformanceFixture {
        let h = try GoogleHarness()
        let google = h.server.google!
        google.pageCap = 3
        return ConformanceFixture(
            connector: h.connector, window: ConnectorConformance.defaultWindow,
            seed: { events in
                try events.map { e in
                    let data = try JSONEncoder().encode(GoogleMapping.resource(e, id: nil, origin: nil, zone: .gmt))
                    return google.seed(try JSONSerialization.jsonObject(with: data) as! [String: Any])
                }
            },
            stored: {
                var out: [String: Event] = [:]
                for json in google.events() {
                    let data = try JSONSerialization.data(withJSONObject: json)
                    let g = try JSONDecoder().decode(GoogleEventResource.self, from: data)
                    if let id = g.id, let e = GoogleMapping.event(g).0 { out[id] = e }
                }
                return out
            },
            deterministicCreates: true, versions: true)
    }

    @Test(arguments: ConnectorConformance.checks)
    func conformance(_ check: ConformanceCheck) throws {
        try check.run(Self.fixture())
    }
}
