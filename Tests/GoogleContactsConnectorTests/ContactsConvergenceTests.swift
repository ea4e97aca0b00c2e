import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleContactsConnector
import Testing

/// Creates, updates and deletes under injected faults (30 % of requests) (429 with Retry-After, 403, 500, 503,
/// resets after the work was done, slow answers), written the way the engine does: retryable
/// failures and thrown batches again in a new run, a create's conflict with its own stamp
/// adopted. The account ends with exactly what was written, nothing twice.
@Suite("google_contacts: convergence under faults", .serialized, .timeLimit(.minutes(10)))
struct ContactsConvergenceTests {
    @Test func fourHundredContactsConvergeWithThirtyPercentFaults() throws {
        let h = try ContactsHarness(pageSize: 200)
        h.server.setFaults(FaultPolicy(rate: 0.3, retryAfter: 0, slowDelay: 0.02, seed: 11))
        // Besides the random ones: a batch of creates made and its answer lost, one refused with 500.
        h.server.injectOnce(.reset, pathPrefix: "/v1/people:batchCreateContacts")
        h.server.injectOnce(.internalError, pathPrefix: "/v1/people:batchCreateContacts")
        let count = 400
        let creates = (0..<count).map { createChange($0, groups: $0 % 2 == 0 ? ["Google Sync"] : []) }
        let created = settle(h, creates)
        var versions: [Int: (String, String?)] = [:]
        for n in 0..<count {
            guard case .written(let key, let version)? = created[n] else {
                Issue.record("contact \(n) not written: \(String(describing: created[n]))")
                continue
            }
            versions[n] = (key, version)
        }
        h.server.setFaults(.none)
        let faulted = h.server.log.all.filter { $0.fault != nil }
        #expect(faulted.contains { $0.fault == .reset && $0.path == "/v1/people:batchCreateContacts" })
        #expect(faulted.count >= 4, "\(faulted.map(\.fault))")
        let all = h.people.contacts()
        #expect(all.count == count)
        #expect(Set(all.compactMap(stamp(of:))) == Set((0..<count).map(stampID)))
        let groups = h.people.groups()
        #expect(all.filter { groupNames(of: $0, in: groups) == ["Google Sync"] }.count == count / 2)

        // Updates of the first 150 (a new note), deletes of the last 150, under faults again.
        h.server.log.clear()
        h.server.setFaults(FaultPolicy(rate: 0.3, retryAfter: 0, slowDelay: 0.02, seed: 12))
        h.server.injectOnce(.reset, pathPrefix: "/v1/people:batchUpdateContacts")
        h.server.injectOnce(.reset, pathPrefix: "/v1/people:batchDeleteContacts")
        var edits: [Change] = []
        for n in 0..<150 {
            var c = client(n, groups: n % 2 == 0 ? ["Google Sync"] : [])
            c.notes = "edited \(n)"
            edits.append(.update(key: versions[n]!.0, ifVersion: versions[n]!.1, event: c.envelope()))
        }
        for n in 250..<count { edits.append(.delete(key: versions[n]!.0, ifVersion: versions[n]!.1)) }
        let edited = settle(h, edits)
        for (i, change) in edits.enumerated() {
            switch (change, edited[i]) {
            case (.update, .written?), (.delete, .written?), (.delete, .gone?): break
            default: Issue.record("change \(i) not settled: \(String(describing: edited[i]))")
            }
        }
        h.server.setFaults(.none)
        #expect(h.server.log.all.contains { $0.fault == .reset && $0.path == "/v1/people:batchUpdateContacts" })
        #expect(h.server.log.all.contains { $0.fault == .reset && $0.path == "/v1/people:batchDeleteContacts" })
        let after = h.people.contacts()
        #expect(after.count == 250)
        let notes = Dictionary(
            after.map {
                (stamp(of: $0) ?? "", (($0["biographies"] as? [[String: Any]])?.first?["value"] as? String) ?? "")
            },
            uniquingKeysWith: { a, _ in a })
        for n in 0..<150 { #expect(notes[stampID(n)] == "edited \(n)") }
        for n in 150..<250 { #expect(notes[stampID(n)] == "client \(n)") }

        // A full listing afterwards reads every contact once, with its stamp.
        let listed = try listAll(h.connector())
        #expect(listed.items.count == 250)
        #expect(Set(listed.items.compactMap(\.event.origin)).count == 250)
    }

    /// What the engine does with outcomes, reduced to these tests' needs: a thrown batch or a
    /// retryable failure is written again by a new connector (the next run); a create's conflict
    /// with a contact carrying its own stamp is adopted (written again as an update when it
    /// differs); an update's conflict whose current contact already holds the content is done.
    func settle(_ h: ContactsHarness, _ changes: [Change], rounds: Int = 20) -> [Int: WriteOutcome] {
        var settled: [Int: WriteOutcome] = [:]
        var pending = Array(changes.indices)
        var current = changes
        for _ in 0..<rounds where !pending.isEmpty {
            let outcomes: [WriteOutcome]
            do {
                outcomes = try h.connector().write(pending.map { current[$0] })
            } catch {
                continue
            }
            var next: [Int] = []
            for (i, outcome) in zip(pending, outcomes) {
                switch (current[i], outcome) {
                case (_, .failed(true, _)):
                    next.append(i)
                case (.create(let id, let event), .conflict(let found?)) where found.event.origin == id:
                    if content(found) == event.contact {
                        settled[i] = .written(key: found.key, version: found.version)
                    } else {
                        var stamped = event
                        stamped.origin = id
                        current[i] = .update(key: found.key, ifVersion: found.version, event: stamped)
                        next.append(i)
                    }
                case (.update(_, _, let event), .conflict(let found?)):
                    if content(found) == event.contact {
                        settled[i] = .written(key: found.key, version: found.version)
                    } else {
                        current[i] = .update(key: found.key, ifVersion: found.version, event: event)
                        next.append(i)
                    }
                case (.delete(let key, _), .conflict(let found?)):
                    current[i] = .delete(key: key, ifVersion: found.version)
                    next.append(i)
                default:
                    settled[i] = outcome
                }
            }
            pending = next
        }
        return settled
    }
}
