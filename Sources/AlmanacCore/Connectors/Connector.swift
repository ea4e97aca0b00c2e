import Foundation

/// One side of a sync job: a database query, a file, a calendar.
///
/// Contract (the conformance suite in `AlmanacTestKit` checks it on every connector):
/// - Calls are synchronous and made from one thread at a time (the worker's job loop); a
///   connector may block on I/O and may use threads of its own inside a call.
/// - `read` returns one page. The engine calls again with `continuation` while the page carries
///   one; the last page carries the new `cursor`. A listing that ends without throwing is
///   authoritative for `coverage`. The engine reads through `read(_:into:)`, which hands the
///   page's items over as they are read; a connector whose pages are large (ODBC: one chunk of
///   the window) implements it so that it never holds a page whole.
/// - `write` returns exactly one outcome per change, in order. A failure of one item is an
///   outcome, not a throw; throwing means nothing in the batch can be trusted to have happened
///   (and the engine treats every item of the batch as unknown and re-reads before retrying).
/// - Errors thrown are `AlmanacError`s whose message an administrator can act on, with no secret.
public protocol Connector: AnyObject {
    var capabilities: ConnectorCapabilities { get }

    /// Reads one page of items starting at `request`.
    func read(_ request: ReadRequest) throws -> ReadPage

    /// Reads the same page as `read`, handing its items to `sink` one at a time as they are read
    /// (`ItemSink.take`), in the order `read` would list them; the page returned carries no items,
    /// and everything else `read` would return. Before reading the page again from its start
    /// inside one call, the connector calls `sink.restart()`. When the call throws, the items
    /// handed count for nothing (the engine fails the listing). Default: calls `read` and hands
    /// its items over.
    func read<Sink: ItemSink>(_ request: ReadRequest, into sink: inout Sink) throws -> ReadPage

    /// Applies changes; one outcome per change, same order.
    func write(_ changes: [Change]) throws -> [WriteOutcome]

    /// Reaches the other end and says what worked and what failed, step by step.
    func testConnection() -> ConnectionReport

    /// Asks this side directly about `keys`, items the engine knows but a complete listing did not
    /// return (absence is evidence, not proof). Called at most once per run, with every such key
    /// of the run, and only when `capabilities` contains `.lookup`.
    ///
    /// Returns the items among `keys` that exist now, wherever their start lies in time (an item
    /// moved out of the window comes back with its new start). A key not returned is confirmed
    /// absent: deleted, or no longer matching what this side lists. Keys not asked for may be
    /// ignored. Throwing means nothing is confirmed; the engine then fails the run and deletes
    /// nothing. Default: throws `connector.lookup_unsupported`.
    func lookup(_ keys: [String]) throws -> [SourceItem]

    /// The event fields this side stores and reads back unchanged. The engine's content hashes
    /// cover only the fields both sides of a job represent, so a round trip is not a change.
    /// Default: every field.
    var fields: Set<EventField> { get }

    /// Whether an all-day time written to this side reads back as all-day. A side that stores
    /// times only as timestamps says false: it keeps an all-day event as its midnights in the
    /// profile's zone, and the engine then compares all-day times as those instants, so the
    /// timestamps it wrote are not mistaken for an edit (and the other side stays all-day).
    /// Default: true.
    var keepsAllDay: Bool { get }

    /// Whether this side drops white space around text values on read and on write (its README
    /// says so): the engine then compares text trimmed, for this job. Everywhere else white space
    /// is data. Default: false.
    var trimsText: Bool { get }

    /// Whether each `write` call rewrites the whole store (a file written atomically): the engine
    /// then passes every change of a run in one call, so a run costs one rewrite, linear in the
    /// number of items, instead of one per batch. Default: false.
    var writesWholeStore: Bool { get }

    /// For a service that picks the keys of the items made on it (a create cannot carry almanac's
    /// id, so an earlier create is found again only by its origin stamp, once it exists): how long
    /// a create sent without its answer being seen (the worker killed, the answer lost) may still
    /// take to land, and how many creates one call of `write` sends at once. The engine hands
    /// such a side at most `perCall` changes a call, records their creates just before, and does
    /// not send a create again within `window` of an attempt whose answer it did not see (the item
    /// fails for the run, which is retried), so that a create still on its way is never made
    /// twice (ARCHITECTURE.md §5). Default: nil, for a side where a create sent twice lands on
    /// one item (an id the service keeps, as Google Calendar's 409, or a local store).
    var lateCreates: LateCreates? { get }

    /// The item kinds this side can carry (`ItemKind`): a job whose kind one of its sides lacks
    /// is rejected by `almanac check`. Default: events only.
    var kinds: Set<ItemKind> { get }

    /// What exactly this side stores of a contact and reads back unchanged, for a contacts job
    /// (as `fields` for events): name parts, how many e-mails, which phone kinds and address
    /// parts, … (`ContactShape`). Default: everything.
    var contactShape: ContactShape { get }

    /// The contact fields of which this side stores at least a part. Default: those of
    /// `contactShape`.
    var contactFields: Set<ContactField> { get }
}

/// `Connector.lateCreates`: how long a create whose answer was not seen may still land, and how
/// many creates one `write` call sends.
public struct LateCreates: Sendable, Hashable {
    public var window: TimeInterval
    public var perCall: Int

    public init(window: TimeInterval, perCall: Int) {
        self.window = window
        self.perCall = max(1, perCall)
    }
}

extension Connector {
    public var fields: Set<EventField> { Set(EventField.allCases) }
    public var keepsAllDay: Bool { true }
    public var trimsText: Bool { false }
    public var writesWholeStore: Bool { false }
    public var lateCreates: LateCreates? { nil }
    public var kinds: Set<ItemKind> { [.events] }
    public var contactShape: ContactShape { .full }
    public var contactFields: Set<ContactField> { contactShape.fields }

    public func read<Sink: ItemSink>(_ request: ReadRequest, into sink: inout Sink) throws -> ReadPage {
        var page = try read(request)
        for item in page.items { sink.take(item) }
        page.items = []
        return page
    }

    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        throw AlmanacError(.connectorLookupUnsupported, "this connector cannot look items up by key")
    }
}

/// A half-open time range `[start, end)` of whole seconds: the one definition of a window every
/// source applies. An item starting exactly at `start` is inside, one starting exactly at `end`
/// is not. Both bounds are floored to the second, so a source that compares wall-clock
/// timestamps (ODBC's `:window_start`, bound without fractions) and one that compares instants
/// (files, calendars) agree on the same instants.
public struct TimeWindow: Hashable, Sendable, Codable, CustomStringConvertible {
    public private(set) var start: Date
    public private(set) var end: Date

    public init(start: Date, end: Date) {
        precondition(start <= end, "window start after end")
        self.start = Self.wholeSecond(start)
        self.end = Self.wholeSecond(end)
    }

    /// `date` floored to the second.
    public static func wholeSecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    public func contains(_ date: Date) -> Bool { date >= start && date < end }

    public var description: String {
        "[\(start.formatted(.iso8601)), \(end.formatted(.iso8601)))"
    }

    /// Splits the window into consecutive chunks of at most `days` days.
    public func chunks(days: Int) -> [TimeWindow] {
        guard days > 0 else { return [self] }
        let step = TimeInterval(days * 86_400)
        var out: [TimeWindow] = []
        var s = start
        while s < end {
            let e = min(end, s.addingTimeInterval(step))
            out.append(TimeWindow(start: s, end: e))
            s = e
        }
        return out.isEmpty ? [self] : out
    }
}

public struct ReadRequest: Hashable, Sendable {
    /// The time range to list (items whose start falls in it).
    public var window: TimeWindow
    /// The cursor from the last completed read, if the connector has a change feed and the
    /// engine wants a delta. nil asks for a full listing of `window`.
    public var cursor: String?
    /// Re-read everything changed at or after this instant (`almanac sync --since`).
    public var since: Date?
    /// The `continuation` of the previous page of this listing, nil for the first page.
    public var continuation: String?

    public init(window: TimeWindow, cursor: String? = nil, since: Date? = nil, continuation: String? = nil) {
        self.window = window
        self.cursor = cursor
        self.since = since
        self.continuation = continuation
    }
}

/// An item as read from one side.
public struct SourceItem: Hashable, Sendable {
    /// The item's identity on its side (an `external_id`, a calendar event id).
    public var key: String
    /// Opaque version (etag, `updated` stamp, row hash); nil when the side has none.
    public var version: String?
    public var event: Event

    @inlinable
    public init(key: String, version: String? = nil, event: Event) {
        self.key = key
        self.version = version
        self.event = event
    }
}

/// An item a connector could not turn into an `Event` (missing start, bad date…).
public struct ItemProblem: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The item's key if it has one, else a locator such as `row 17` or `line 42`.
    public var key: String
    /// The field or column at fault, when one is.
    public var field: String?
    public var reason: String
    /// Set for a later item whose key an earlier item of the same listing has (`DuplicateKey`):
    /// where that first item is. The first item stays listed and is synced; this problem reports
    /// the later one only. Nil for every other problem, which keeps the engine off the key.
    public var duplicateOf: String?

    public init(key: String, field: String? = nil, reason: String) {
        self.key = key
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { return "\(key): \(field): \(reason)" }
        return "\(key): \(reason)"
    }
}

/// What a page's listing says about absence.
public enum ReadCoverage: Hashable, Sendable {
    /// Every item of `window` is in this listing (across all its pages): an item known to be in
    /// the window but not listed was deleted.
    case complete(TimeWindow)
    /// Only changes since the cursor: deletions arrive in `deleted`, absence means nothing.
    case delta
}

public struct ReadPage: Sendable {
    public var items: [SourceItem]
    /// Keys deleted since the cursor (delta reads only).
    public var deleted: [String]
    /// Items that could not be read; reported, never treated as deletions.
    public var problems: [ItemProblem]
    public var coverage: ReadCoverage
    /// Non-nil when more pages follow: pass it back in `ReadRequest.continuation`.
    public var continuation: String?
    /// The cursor to store once everything read has been applied; set on the last page.
    public var cursor: String?
    /// Items of this side to be written again although neither side changed them, by key, with
    /// the reason `--dry-run` shows: what this side holds of them is incomplete in a way only a
    /// write completes (Cronofy in series mode: occurrences of a series that entered the window
    /// since it was written). Honoured on the `to` side of a job, for items linked and unchanged:
    /// the engine plans an update of each with `from`'s content. Naming an item writes nothing
    /// by itself. Default: none.
    public var refresh: [String: String] = [:]

    public init(
        items: [SourceItem], deleted: [String] = [], problems: [ItemProblem] = [],
        coverage: ReadCoverage, continuation: String? = nil, cursor: String? = nil
    ) {
        self.items = items
        self.deleted = deleted
        self.problems = problems
        self.coverage = coverage
        self.continuation = continuation
        self.cursor = cursor
    }
}

/// One write asked of a connector.
public enum Change: Hashable, Sendable {
    /// Create `event` with the deterministic id `id` (ARCHITECTURE.md §5). A side that cannot choose its
    /// ids stores `id` in its origin stamp instead and returns its own key.
    case create(id: String, event: Event)
    /// Replace the item `key` with `event`; `ifVersion` guards against concurrent edits.
    case update(key: String, ifVersion: String?, event: Event)
    case delete(key: String, ifVersion: String?)
    /// Write back a confirmation of `key` (e.g. `on_confirmed`).
    case confirm(key: String, event: Event)
    /// Write back a cancellation of `key` (e.g. `on_cancelled`).
    case cancel(key: String, event: Event)
}

public enum WriteOutcome: Hashable, Sendable {
    /// Done; `key` is the item's key now (for a create, possibly newly assigned), `version` its new version.
    case written(key: String, version: String?)
    /// The item changed since `ifVersion` (or a create found an existing item with that id):
    /// `current` is what is there now, when the connector could fetch it.
    case conflict(current: SourceItem?)
    /// The item no longer exists.
    case gone
    /// Not done. `retryable` failures (rate limits, timeouts) may succeed on a later attempt.
    case failed(retryable: Bool, reason: String)
}

/// The result of `testConnection()`: the steps tried, in order, each with what was found.
public struct ConnectionReport: Sendable, Codable, Hashable {
    public struct Step: Sendable, Codable, Hashable {
        public var name: String
        public var ok: Bool
        public var detail: String
        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var steps: [Step]
    public init(steps: [Step]) { self.steps = steps }
    public var ok: Bool { !steps.isEmpty && steps.allSatisfy(\.ok) }
}
