import AlmanacCore
import AlmanacSync
import Foundation

/// One check of the connector contract (`Connector`'s doc comment). Checks skip themselves when
/// the connector lacks the capability they exercise.
public struct ConformanceCheck: Sendable, CustomStringConvertible {
    public let name: String
    /// The capabilities the check exercises; it is skipped when the connector lacks one.
    public let requires: ConnectorCapabilities
    /// What else the check needs of the fixture (versions, deterministic creates, an invalid item).
    let needs: [FixtureNeed]
    let body: @Sendable (ConformanceFixture, inout Expect) throws -> Void

    init(
        name: String, requires: ConnectorCapabilities = [], needs: [FixtureNeed] = [],
        body: @escaping @Sendable (ConformanceFixture, inout Expect) throws -> Void
    ) {
        self.name = name
        self.requires = requires
        self.needs = needs
        self.body = body
    }

    public var description: String { name }

    /// Why the check does not apply to `fixture` ("capability write is missing"), or nil when it does.
    public func skipReason(_ fixture: ConformanceFixture) -> String? {
        let missing = requires.subtracting(fixture.connector.capabilities)
        if !missing.isEmpty {
            let names = missing.names
            return names.count == 1
                ? "capability \(names[0]) is missing" : "capabilities \(names.joined(separator: ", ")) are missing"
        }
        return needs.first { !$0.isMet(by: fixture) }?.reason
    }

    /// Runs the check, or nothing when it does not apply (`skipReason`); throws
    /// `ConformanceFailure` on the first broken expectation.
    public func run(_ fixture: ConformanceFixture) throws {
        guard skipReason(fixture) == nil else { return }
        var expect = Expect(check: name)
        try body(fixture, &expect)
    }
}

/// A fixture property some checks need beyond capabilities.
enum FixtureNeed: Sendable {
    case versions, deterministicCreates, invalidItem

    func isMet(by f: ConformanceFixture) -> Bool {
        switch self {
        case .versions: f.versions
        case .deterministicCreates: f.deterministicCreates
        case .invalidItem: f.seedInvalid != nil
        }
    }

    var reason: String {
        switch self {
        case .versions: "the connector keeps no item versions"
        case .deterministicCreates: "creates are not deterministic (a reused id may make a second item)"
        case .invalidItem: "the fixture cannot seed an unreadable item"
        }
    }
}

/// The connector conformance suite. Every connector's test target runs it with a small adapter:
///
/// ```swift
/// import AlmanacTestKit
/// import Testing
///
/// @Suite struct CSVConformance {
///     @Test(arguments: ConnectorConformance.checks)
///     func conformance(_ check: ConformanceCheck) throws {
///         let dir = try TemporaryDirectory()            // whatever gives a fresh, empty store
///         let connector = try CSVModule.make(context(for: dir))
///         try check.run(ConformanceFixture(
///             connector: connector, window: ConnectorConformance.defaultWindow,
///             seed: { events in try writeRows(events, into: dir) },    // bypasses the connector
///             stored: { try readRows(from: dir) },                      // key → event
///             deterministicCreates: false, versions: true,
///             seedInvalid: { try writeRowWithoutStart(into: dir) }))        // optional: its locator
///     }
/// }
/// ```
///
/// `Tests/ConnectorTests/MemoryConformanceTests.swift` is the reference use.
public enum ConnectorConformance {
    /// A fixed window (2030-03-01 to 2030-04-01 UTC, crossing the US DST change) for fixtures.
    public static let defaultWindow = TimeWindow(
        start: Date(timeIntervalSince1970: 1_898_553_600),
        end: Date(timeIntervalSince1970: 1_901_232_000))

    public static let checks: [ConformanceCheck] =
        ReadChecks.all + WriteChecks.all + FeedChecks.all + LookupChecks.all

    /// Reads every page of a listing (at most `limit` pages) and returns the combined page.
    public static func readAll(_ connector: any Connector, _ request: ReadRequest, limit: Int = 10_000) throws
        -> (
            items: [SourceItem], deleted: [String], problems: [ItemProblem], coverage: ReadCoverage, cursor: String?,
            pages: Int
        )
    {
        let l = try connector.readListing(request, pageLimit: limit)
        if l.cursorBeforeLastPage {
            throw ConformanceFailure(check: "paging", message: "a page with a continuation also carried a cursor")
        }
        return (l.items, l.deleted, l.problems, l.coverage!, l.cursor, l.pages)
    }
}

/// Expectation helpers for checks.
public struct Expect {
    let check: String

    public func that(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(check: check, message: message()) }
    }

    /// The projected fields of the connector on which `got` differs from `want`.
    public func same(_ got: Event, _ want: Event, fields: Set<EventField>, _ what: String) throws {
        let p = ContentProjection(fields: fields)
        let diff = p.differences(got, want)
        try that(
            diff.isEmpty,
            "\(what): fields differ: "
                + diff.map { "\($0.rawValue): got \"\(p.value($0, of: got))\", want \"\(p.value($0, of: want))\"" }
                .joined(separator: "; "))
    }
}
