import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Testing

@Suite("google_contacts: faults, crashes and quota", .serialized, .timeLimit(.minutes(10)))
struct ContactsFaultTests {
    /// The answer to a batch of creates is lost (the connection reset after Google made them):
    /// the connector does not send them again blindly; it finds them by their origin stamp.
    @Test func aLostCreateAnswerDoesNotDuplicate() throws {
        let h = try ContactsHarness()
        h.server.injectOnce(.reset, pathPrefix: "/v1/people:batchCreateContacts")
        let outcomes = try h.connector().write((0..<3).map { createChange($0) })
        #expect(h.calls("POST", "/v1/people:batchCreateContacts").count == 1)
        #expect(h.people.contacts().count == 3)
        let byStamp = Dictionary(
            h.people.contacts().map { (stamp(of: $0) ?? "", $0["resourceName"] as? String ?? "") },
            uniquingKeysWith: { a, _ in a })
        for n in 0..<3 {
            let key = try #require(byStamp[stampID(n)])
            #expect(outcomes[n] == .written(key: key, version: h.people.contact(key)?["etag"] as? String))
        }
    }

    /// A crash after the creates, before the state was saved: the next run creates the same
    /// contacts again; each comes back as a conflict carrying its stamp (the engine adopts it),
    /// and nothing is made twice.
    @Test func theRunAfterACrashFindsTheCreatedContactsByStamp() throws {
        let h = try ContactsHarness()
        let first = try h.connector().write((0..<3).map { createChange($0) })
        #expect(first.allSatisfy { if case .written = $0 { return true } else { return false } })
        h.server.log.clear()
        let again = try h.connector().write((0..<4).map { createChange($0) })
        for n in 0..<3 {
            guard case .conflict(let current?) = again[n] else {
                Issue.record("expected a conflict for \(n): \(again[n])")
                continue
            }
            #expect(current.event.origin == stampID(n))
            #expect(content(current) == client(n))
        }
        guard case .written = again[3] else {
            Issue.record("contact 3 not created: \(again[3])")
            return
        }
        #expect(h.people.contacts().count == 4)
        #expect(h.calls("POST", "/v1/people:batchCreateContacts").map(\.batchParts) == [0])
    }

    /// A stamped contact deleted on the phone before the state was saved is made again, once.
    @Test func aStampedContactDeletedSinceIsMadeAgain() throws {
        let h = try ContactsHarness()
        let first = try h.connector().write([createChange(5)])
        guard case .written(let key, _) = first[0] else {
            Issue.record("not written: \(first)")
            return
        }
        h.people.userDelete(key)
        let again = try h.connector().write([createChange(5)])
        guard case .written(let newKey, _) = again[0] else {
            Issue.record("not written: \(again)")
            return
        }
        #expect(newKey != key)
        #expect(h.people.contacts().compactMap { stamp(of: $0) } == [stampID(5)])
    }

    /// The per-minute quota: 429 with Retry-After, waited for, and the listing completes.
    @Test func theQuotasRetryAfterIsHonoured() throws {
        let h = try ContactsHarness(pageSize: 10)
        for n in 0..<40 { try h.people.seed(["names": [["givenName": "P\(n)"]]]) }
        h.people.quota = PeopleQuota(readsPerWindow: 3, writesPerWindow: 0, window: 2)
        let c = h.connector(retry: RetryPolicy(maxAttempts: 8, baseDelay: 0.01, maxDelay: 0.05))
        let l = try listAll(c)
        #expect(l.items.count == 40)
        let refused = h.server.log.all.filter { $0.status == 429 }
        #expect(!refused.isEmpty)
        #expect(refused.allSatisfy { $0.retryAfter != nil })
        let gaps = h.server.log.retryAfterGaps()
        #expect(!gaps.isEmpty)
        for gap in gaps {
            #expect(gap.waited >= Double(gap.announced) - 0.05, "waited \(gap.waited) s of \(gap.announced)")
        }
        #expect(c.http.retryAfterWaits > 0)
    }
}
