import AlmanacCore
import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Logging

/// A fake Google on 127.0.0.1 and a connector pointed at it.
struct GoogleHarness {
    let server: FakeServer
    let connector: GoogleConnector
    let stateDirectory: URL
    let refreshToken: String

    init(
        faults: FaultPolicy = .none, batchSize: Int = 50, stateDirectory: URL? = nil, server: FakeServer? = nil,
        refreshToken: String? = nil, maxConcurrent: Int = 4,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 8, baseDelay: 0.02, maxDelay: 0.5)
    ) throws {
        let server = try server ?? FakeServer(.google, faults: faults)
        self.server = server
        let rt = refreshToken ?? server.auth.register(clientID: "client-1", secret: "s3cret-value")
        self.refreshToken = rt
        let dir =
            stateDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-google-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.stateDirectory = dir
        let settings = GoogleSettings(
            calendarID: "primary", baseURL: server.baseURL,
            client: OAuthClient(tokenURL: server.tokenURL, clientID: "client-1", clientSecret: "s3cret-value"),
            refreshToken: rt, batchSize: batchSize, transport: TransportOptions(maxConcurrent: maxConcurrent),
            retry: retry)
        connector = GoogleConnector(
            settings: settings, stateDirectory: dir, connection: "cal",
            timeZone: TimeZone(identifier: "America/Chicago")!,
            logger: Logger(label: "test"))
    }

    /// Reads a whole listing (all pages); returns items, deletions, the final cursor and coverages.
    func readAll(window: TimeWindow, cursor: String? = nil) throws
        -> (items: [SourceItem], deleted: [String], cursor: String?, coverages: [ReadCoverage], pages: Int)
    {
        let l = try connector.readListing(ReadRequest(window: window, cursor: cursor))
        return (l.items, l.deleted, l.cursor, l.coverages, l.pages)
    }
}

/// What the sync engine does with outcomes, reduced to what these tests need: retry retryable
/// failures, take a conflict whose current item carries our origin as written, and re-create
/// under the next generation id when the id is reserved by a deleted item.
func writeUntilSettled(_ connector: any Connector, _ changes: [Change], rounds: Int = 10) throws
    -> [String: WriteOutcome]
{
    var settled: [String: WriteOutcome] = [:]
    var pending = changes
    for _ in 0..<rounds where !pending.isEmpty {
        let outcomes = try connector.write(pending)
        var next: [Change] = []
        for (change, outcome) in zip(pending, outcomes) {
            switch (change, outcome) {
            case (_, .failed(true, _)):
                next.append(change)
            case (.create(let id, let event), .conflict(let current?)) where current.event.status == .cancelled:
                next.append(.create(id: nextGeneration(id), event: event))
            case (.create(let id, _), .conflict(let current?)) where current.event.origin == id:
                settled[id] = .written(key: id, version: current.version)
            case (.create(let id, _), _):
                settled[id] = outcome
            case (.update(let key, _, _), _), (.delete(let key, _), _):
                settled[key] = outcome
            default:
                break
            }
        }
        pending = next
    }
    return settled
}

/// `<hex>` → `<hex>g1`, `<hex>g1` → `<hex>g2`: what the engine derives for a re-creation
/// (base32hex keeps `g` valid).
func nextGeneration(_ id: String) -> String {
    if let g = id.range(of: "g", options: .backwards), let n = Int(id[g.upperBound...]) {
        return id[..<g.lowerBound] + "g\(n + 1)"
    }
    return id + "g1"
}

func deterministicID(_ n: Int) -> String { SHA256.hex("clinic/appointments/\(n)") }

func sampleEvent(_ n: Int, base: Date) -> Event {
    let start = base.addingTimeInterval(Double(n % 500) * 3600)
    return Event(
        title: "Appt \(n)", description: "row \(n)", location: "Room \(n % 7)",
        start: .instant(start, timeZone: "America/Chicago"),
        end: .instant(start.addingTimeInterval(1800), timeZone: "America/Chicago"),
        participants: [Participant(name: "Client \(n)", email: "c\(n)@example.com")],
        custom: ["appt_type": "checkup"])
}

let testBase = Date(timeIntervalSince1970: 1_800_000_000)
let testWindow = TimeWindow(start: testBase.addingTimeInterval(-86_400), end: testBase.addingTimeInterval(60 * 86_400))

/// Retry-After honoured, read from the request log of a client sending one request at a time:
/// the first request after each answer announcing `Retry-After` came at least that much later.
/// Returns the offending gaps (empty when honoured) and how many announcements were checked.
func retryAfterViolations(_ log: [LoggedRequest]) -> (violations: [String], checked: Int) {
    let calls = log.filter { !$0.target.hasPrefix("/token") && !$0.target.hasPrefix("/oauth") }
    var violations: [String] = []
    var checked = 0
    for (i, e) in calls.enumerated() {
        guard let ra = e.retryAfter, i + 1 < calls.count else { continue }
        checked += 1
        let gap = calls[i + 1].time.timeIntervalSince(e.time)
        if gap < Double(ra) - 0.02 { violations.append("\(e.target): waited \(gap) s of \(ra) s") }
    }
    return (violations, checked)
}

/// Whether tests that need the fakes must fail rather than skip: they run in-process here, so
/// they always run.
let requireServices = ProcessInfo.processInfo.environment["ALMANAC_REQUIRE_SERVICES"] == "1"
