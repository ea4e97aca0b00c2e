import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import CronofyConnector
import FakeCalendars
import Foundation
import Logging
import Testing

struct CronofyHarness {
    let server: FakeServer
    let connector: CronofyConnector

    init(
        faults: FaultPolicy = .none, calendarID: String? = nil, maxConcurrent: Int = 4,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 8, baseDelay: 0.02, maxDelay: 0.5)
    ) throws {
        server = try FakeServer(.cronofy, faults: faults)
        let rt = server.auth.register(clientID: "cronofy-client", secret: "cronofy-secret-value")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-cronofy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let settings = CronofySettings(
            calendarID: calendarID ?? server.cronofy!.calendarIDs[0], baseURL: server.baseURL,
            client: OAuthClient(
                tokenURL: server.tokenURL, clientID: "cronofy-client",
                clientSecret: "cronofy-secret-value", bodyFormat: .json),
            refreshToken: rt, tzid: "Europe/London", transport: TransportOptions(maxConcurrent: maxConcurrent),
            retry: retry)
        connector = CronofyConnector(
            settings: settings, stateDirectory: dir, connection: "cronofy",
            logger: Logger(label: "test"))
    }

    func readAll(window: TimeWindow, cursor: String? = nil) throws -> (
        items: [SourceItem], deleted: [String], cursor: String?, pages: Int
    ) {
        let l = try connector.readListing(ReadRequest(window: window, cursor: cursor))
        return (l.items, l.deleted, l.cursor, l.pages)
    }
}

func eventID(_ n: Int) -> String { SHA256.hex("clinic/cronofy/\(n)") }

let base = Date(timeIntervalSince1970: 1_800_000_000)
let window = TimeWindow(start: base.addingTimeInterval(-86_400), end: base.addingTimeInterval(40 * 86_400))

func sample(_ n: Int) -> Event {
    let s = base.addingTimeInterval(Double(n % 300) * 3600)
    return Event(
        title: "Visit \(n)", location: "Room \(n % 3)", start: .instant(s, timeZone: "Europe/London"),
        end: .instant(s.addingTimeInterval(1800), timeZone: "Europe/London"),
        participants: [Participant(name: "Pat \(n)", email: "p\(n)@example.com")])
}

/// Retries retryable failures the way the engine does.
func writeSettled(_ c: CronofyConnector, _ changes: [Change]) throws -> [WriteOutcome] {
    var outcomes = try c.write(changes)
    for _ in 0..<6 {
        let retry = outcomes.indices.filter {
            if case .failed(true, _) = outcomes[$0] { return true } else { return false }
        }
        if retry.isEmpty { break }
        for (i, o) in zip(retry, try c.write(retry.map { changes[$0] })) { outcomes[i] = o }
    }
    return outcomes
}

@Suite("cronofy connector against the fake Cronofy", .serialized, .timeLimit(.minutes(10)))
struct CronofyConnectorTests {
    @Test func upsertsInBatchesAndReadsManagedEventsWithTzid() throws {
        let h = try CronofyHarness()
        h.server.cronofy!.pageSize = 40
        let outcomes = try h.connector.write((0..<120).map { .create(id: eventID($0), event: sample($0)) })
        #expect(outcomes.allSatisfy { if case .written = $0 { return true } else { return false } })
        let batches = h.server.log.all.filter { $0.target == "/v1/batch" }
        #expect(batches.count == 3 && batches.allSatisfy { $0.batchParts <= 50 })
        #expect(h.server.cronofy!.managedEvents().count == 120)
        h.server.cronofy!.seed(summary: "made in Outlook", start: "2027-01-15T12:00:00Z", end: "2027-01-15T13:00:00Z")
        let listing = try h.readAll(window: window)
        #expect(listing.items.count == 121)
        #expect(listing.pages == 4)
        #expect(listing.cursor != nil)
        let reads = h.server.log.all.filter { $0.target.hasPrefix("/v1/events?") }
        #expect(reads.first?.target.contains("tzid=Europe/London") == true)
        #expect(reads.first?.target.contains("include_managed=true") == true)
        let five = listing.items.first { $0.key == eventID(5) }
        #expect(five?.event.title == "Visit 5")
        #expect(five?.event.location == "Room 2")
        #expect(five?.event.origin == eventID(5))
        #expect(five?.event.participants.first?.email == "p5@example.com")
        #expect(listing.items.contains { $0.key.hasPrefix("evt_external_") && $0.event.origin == nil })
    }

    @Test func lastModifiedDeltasCarryResponsesAndDeletions() throws {
        let h = try CronofyHarness()
        _ = try h.connector.write((0..<10).map { .create(id: eventID($0), event: sample($0)) })
        let first = try h.readAll(window: window)
        h.server.cronofy!.respond(eventID: eventID(1), email: "p1@example.com", status: "accepted")
        h.server.cronofy!.respond(eventID: eventID(2), email: "p2@example.com", status: "declined")
        h.server.cronofy!.userDelete(eventID: eventID(3))
        let delta = try h.readAll(window: window, cursor: first.cursor)
        #expect(
            h.server.log.all.contains {
                $0.target.contains("last_modified=") && $0.target.contains("include_deleted=true")
            })
        #expect(delta.items.first { $0.key == eventID(1) }?.event.participants.first?.response == .accepted)
        #expect(delta.items.first { $0.key == eventID(2) }?.event.participants.first?.response == .declined)
        #expect(delta.deleted == [eventID(3)])
    }

    @Test func updateAndDeleteByEventID() throws {
        let h = try CronofyHarness()
        _ = try h.connector.write([
            .create(id: eventID(1), event: sample(1)), .create(id: eventID(2), event: sample(2)),
        ])
        var moved = sample(1)
        moved.title = "Visit 1 moved"
        let outcomes = try h.connector.write([
            .update(key: eventID(1), ifVersion: nil, event: moved),
            .delete(key: eventID(2), ifVersion: nil),
        ])
        #expect(outcomes == [.written(key: eventID(1), version: nil), .written(key: eventID(2), version: nil)])
        let managed = h.server.cronofy!.managedEvents()
        #expect(managed.count == 1)
        #expect(managed[eventID(1)]?["summary"] as? String == "Visit 1 moved")
    }

    @Test func unprocessableEntityIsAPerItemFailureNamingTheField() throws {
        let h = try CronofyHarness()
        var bad = sample(7)
        bad.end = .instant(base.addingTimeInterval(-3600), timeZone: nil)
        let outcomes = try h.connector.write([
            .create(id: eventID(6), event: sample(6)), .create(id: eventID(7), event: bad),
        ])
        guard case .written = outcomes[0] else { Issue.record("\(outcomes[0])"); return }
        guard case .failed(false, let reason) = outcomes[1] else { Issue.record("\(outcomes[1])"); return }
        #expect(reason.contains("end:"))
        #expect(reason.contains("end must be after start"))
    }

    @Test func unknownCalendarIsNamedWithTheCalendarsFound() throws {
        let h = try CronofyHarness(calendarID: "cal_nope")
        do {
            _ = try h.connector.read(ReadRequest(window: window))
            Issue.record("expected an error")
        } catch let e as AlmanacError {
            #expect(e.code.rawValue == "cronofy.calendar_not_found")
            #expect(e.message.contains("cal_fake_primary"))
        }
        let report = h.connector.testConnection()
        #expect(report.steps.map(\.name) == ["authorize", "calendar"])
        #expect(report.steps[0].ok && !report.steps[1].ok)
    }

    @Test func convergesUnderFaultsAndHonoursRetryAfter() throws {
        let h = try CronofyHarness(
            faults: FaultPolicy(rate: 0.2, retryAfter: 1, slowDelay: 0.05, seed: 11), maxConcurrent: 1)
        let outcomes = try writeSettled(h.connector, (0..<500).map { .create(id: eventID($0), event: sample($0)) })
        #expect(outcomes.allSatisfy { if case .written = $0 { return true } else { return false } })
        #expect(h.server.cronofy!.managedEvents().count == 500)
        let listing = try h.readAll(window: window)
        #expect(Set(listing.items.map(\.key)).count == 500)
        #expect(listing.items.count == 500)
        let log = h.server.log.all
        #expect(log.contains { $0.status == 429 && $0.retryAfter == 1 })
        // One request at a time: the request after each Retry-After came at least that much later.
        let calls = log.filter { !$0.target.hasPrefix("/oauth") }
        for (i, e) in calls.enumerated() where e.retryAfter != nil && i + 1 < calls.count {
            #expect(calls[i + 1].time.timeIntervalSince(e.time) >= Double(e.retryAfter!) - 0.02)
        }
        let text = log.map { h.server.log.render($0) }.joined(separator: "\n")
        #expect(!text.contains("cronofy-secret-value"))
        #expect(!text.contains("rt-"))
    }

    @Test func dataCentreBaseURLs() {
        #expect(CronofyModule.apiBase(dataCenter: "us") == "https://api.cronofy.com")
        #expect(CronofyModule.apiBase(dataCenter: "uk") == "https://api-uk.cronofy.com")
        #expect(CronofyModule.apiBase(dataCenter: "de") == "https://api-de.cronofy.com")
        #expect(CronofyModule.appBase(dataCenter: "au") == "https://app-au.cronofy.com")
    }
}
