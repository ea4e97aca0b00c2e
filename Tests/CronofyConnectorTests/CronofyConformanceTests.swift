import AlmanacCore
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

@testable import CronofyConnector

/// The connector conformance suite on the cronofy connector against the fake Cronofy.
///
/// Cronofy writes are upserts without versions: an update of a missing managed event creates it
/// and deleting an absent event answers 202, so the checks that expect `.gone` there are listed
/// in `upsertDeviations` and asserted to behave as Cronofy does instead.
@Suite("cronofy conformance", .serialized, .timeLimit(.minutes(10)))
struct CronofyConformanceTests {
    static let upsertDeviations: Set<String> = [
        "an update of a missing item is gone", "a delete removes; a second delete is gone",
        "one outcome per change, in order",
    ]

    static func fixture() throws -> (ConformanceFixture, FakeServer) {
        let h = try CronofyHarness()
        let fake = h.server.cronofy!
        fake.pageSize = 3
        let fixture = ConformanceFixture(
            connector: h.connector, window: ConnectorConformance.defaultWindow,
            seed: { events in
                events.map { e in
                    var fields = CronofyMapping.upsert(e, eventID: "", tzid: "Etc/UTC")
                    fields["event_id"] = nil
                    let invite = ((fields["attendees"] as? [String: Any])?["invite"] as? [[String: Any]]) ?? []
                    fields["attendees"] = invite.map { a -> [String: Any] in
                        var x = a
                        x["status"] = "needs_action"
                        return x
                    }
                    return fake.seed(fields: fields)
                }
            },
            stored: { fake.liveEventsByKey().compactMapValues { CronofyMapping.event($0).0 } },
            deterministicCreates: true, versions: false)
        return (fixture, h.server)
    }

    @Test(arguments: ConnectorConformance.checks.filter { !upsertDeviations.contains($0.name) })
    func conformance(_ check: ConformanceCheck) throws {
        try check.run(Self.fixture().0)
    }

    @Test func upsertSemanticsWhereTheSuiteExpectsGone() throws {
        let (f, server) = try Self.fixture()
        let event = f.sampleEvents(1)[0]
        let id = String(repeating: "ef", count: 32)
        #expect(
            try f.connector.write([.update(key: id, ifVersion: nil, event: event)]) == [.written(key: id, version: nil)]
        )
        #expect(server.cronofy!.managedEvents().count == 1)
        #expect(try f.connector.write([.delete(key: id, ifVersion: nil)]) == [.written(key: id, version: nil)])
        #expect(try f.connector.write([.delete(key: id, ifVersion: nil)]) == [.written(key: id, version: nil)])
        #expect(server.cronofy!.managedEvents().isEmpty)
        // An external event that is gone is reported gone (its updates go by event_uid and never create).
        let uid = server.cronofy!.seed(summary: "x", start: "2030-03-02T10:00:00Z", end: "2030-03-02T11:00:00Z")
        _ = try f.connector.write([.delete(key: uid, ifVersion: nil)])
        #expect(try f.connector.write([.update(key: uid, ifVersion: nil, event: event)]) == [.gone])
    }
}
