import AlmanacCore
import FakeCalendars
import Foundation
import Testing

@testable import CronofyConnector

/// The listings the connector pages through itself (`eachEvent`: a lookup, the series check):
/// one with more pages than `pageLimit` fails rather than comes back short, since a lookup takes
/// a key it did not list for deleted.
@Suite("cronofy: listings past the page limit", .serialized, .timeLimit(.minutes(10)))
struct CronofyPagingTests {
    @Test func aLookupWithMorePagesThanTheLimitFailsRatherThanComesBackShort() throws {
        let c = try CronofyHarness()
        c.server.cronofy!.pageSize = 1
        let keys = (1...3).map { n in
            c.server.cronofy!.seed(
                summary: "Visit \(n)", start: "2027-01-1\(n)T12:00:00Z", end: "2027-01-1\(n)T13:00:00Z")
        }
        c.connector.pageLimit = 3
        #expect(try Set(c.connector.lookup(keys).map(\.key)) == Set(keys))
        c.connector.pageLimit = 2
        #expect {
            try c.connector.lookup(keys)
        } throws: { error in
            (error as? AlmanacError)?.code == .syncPagingRunaway
                && "\(error)".contains("connection \"cronofy\": Cronofy returned more than 2 pages")
        }
    }
}
