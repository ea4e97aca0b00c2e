import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import Logging
import Testing

@testable import CronofyConnector

/// `recurrence = "series"` at the connector: a series written as its occurrences, a write cut
/// short in the middle (one batch of occurrences refused, no retry) and repeated by a new
/// connector over the same state directory (a restarted worker), and the series read back.
@Suite("cronofy: series written as occurrences", .serialized, .timeLimit(.minutes(10)))
struct CronofySeriesWriteTests {
    /// Tuesday 2027-01-19 10:00 in Chicago (16:00Z).
    static let start = Date(timeIntervalSince1970: 1_800_374_400)
    static let window = TimeWindow(
        start: start.addingTimeInterval(-7 * 86_400), end: start.addingTimeInterval(60 * 86_400))
    static let key = SHA256.hex("clinic/series/1")

    static func connector(_ server: FakeServer, refresh: String, dir: URL) -> CronofyConnector {
        let settings = CronofySettings(
            calendarID: server.cronofy!.calendarIDs[0], baseURL: server.baseURL,
            client: OAuthClient(
                tokenURL: server.tokenURL, clientID: "cronofy-client", clientSecret: "cronofy-secret-value",
                bodyFormat: .json),
            refreshToken: refresh, tzid: "America/Chicago", batchSize: 4,
            transport: TransportOptions(maxConcurrent: 1), retry: RetryPolicy(maxAttempts: 1))
        return CronofyConnector(
            settings: settings, stateDirectory: dir, profile: "clinic", connection: "cal",
            logger: Logger(label: "test"), job: "appointments", recurrence: .series)
    }

    static func series() throws -> Event {
        let zone = "America/Chicago"
        return Event(
            title: "Lab", start: .instant(start, timeZone: zone), end: .instant(start + 3600, timeZone: zone),
            series: EventSeries(rules: [try RecurrenceRule(parsing: "FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH")]))
    }

    @Test func aWriteCutShortIsCompletedByTheNextWithoutDuplicates() throws {
        let server = try FakeServer(.cronofy)
        let refresh = server.auth.register(clientID: "cronofy-client", secret: "cronofy-secret-value")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-cronofy-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let event = try Self.series()

        let first = Self.connector(server, refresh: refresh, dir: dir)
        _ = try first.readListing(ReadRequest(window: Self.window))
        server.injectOnce(.internalError, pathPrefix: "/v1/batch")
        let cut = try first.write([.create(id: Self.key, event: event)])
        guard case .failed(true, _) = cut.first else {
            Issue.record("expected a retryable failure, got \(cut)")
            return
        }
        // The first batch of 4 was refused, the other 6 occurrences written.
        #expect(server.cronofy!.managedEvents().count == 6)
        #expect(try first.readListing(ReadRequest(window: Self.window)).items.isEmpty)

        // A new connector (a restarted worker) over the same state directory.
        let again = Self.connector(server, refresh: refresh, dir: dir)
        #expect(try again.lookup([Self.key]).isEmpty)
        _ = try again.readListing(ReadRequest(window: Self.window))
        #expect(try again.write([.create(id: Self.key, event: event)]) == [.written(key: Self.key, version: nil)])
        let events = server.cronofy!.managedEvents()
        #expect(events.count == 10 && server.cronofy!.liveEvents().count == 10)
        #expect(Set(events.keys.map { String($0.prefix(Self.key.count)) }) == [Self.key])
        let batches = server.log.all.filter { $0.path == "/v1/batch" }
        // 3 batches (4 + 4 + 2, the first refused), then the 4 missing occurrences.
        #expect(batches.map(\.batchParts) == [4, 4, 2, 4])
        #expect(batches.first?.status == 500)

        let read = try Self.connector(server, refresh: refresh, dir: dir).readListing(ReadRequest(window: Self.window))
        #expect(read.items.map(\.key) == [Self.key])
        #expect(read.items.first?.event.series?.rules.map(\.text) == ["FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH"])
        #expect(read.items.first?.event.series?.exceptions == [])
    }
}
