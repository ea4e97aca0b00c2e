import AlmanacCore
import Foundation

/// Everything one side returned in a run: its items, tombstones, bad items, which windows were
/// listed completely, and the cursor to store once the run's writes are durable.
public struct SideRead: Sendable {
    public var items = ItemTable()
    /// Keys reported deleted (delta reads).
    public var deleted: Set<String> = []
    public var problems: [ItemProblem] = []
    /// Windows listed completely: absence inside them means deletion.
    public var covered: [TimeWindow] = []
    /// Whether this was a delta read (from a cursor or `since`).
    public var isDelta = false
    /// The job's window for this run. A delta can list items anywhere in time (a Google sync
    /// token does); only those starting inside the window are new items of the job.
    public var window: TimeWindow?
    public var cursor: String?
    /// Pages read (for progress and tests).
    public var pages = 0
    /// Keys missing from a complete listing that the side's `lookup` found outside the window:
    /// moved away, not deleted (`AbsenceCheck`).
    public var movedAway: Set<String> = []
    /// Items no state row names, looked up by the create id an unlinked item of the other side
    /// gave them (or was given by them) and found outside the window, by key
    /// (`UnlinkedProbe`): linked, and left alone while away.
    public var foundAway: [String: SourceItem] = [:]
    /// Items the side asks to be written again although unchanged, with why (`ReadPage.refresh`).
    public var refresh: [String: String] = [:]

    public init() {}

    /// Whether an item last seen starting at `start` and absent from this read was deleted.
    public func absenceMeansDeletion(lastStart start: Date?) -> Bool {
        guard let start, !covered.isEmpty else { return false }
        return covered.contains { $0.contains(start) }
    }

    /// Whether `event` starts inside the run's window (or no window is known).
    func inWindow(_ event: Event, zone: TimeZone) -> Bool {
        guard let window, event.contact == nil else { return true }  // windows do not apply to contacts
        return window.contains(event.start.date(in: zone))
    }

    /// Whether the item `key`, last seen starting at `start`, is known to be gone from this side.
    public func isDeleted(_ key: String, lastStart start: Date?) -> Bool {
        // Emptiness first: most runs have no moves or tombstones, and hashing a key costs.
        if items.contains(key) || (!movedAway.isEmpty && movedAway.contains(key)) { return false }
        return (!deleted.isEmpty && deleted.contains(key)) || absenceMeansDeletion(lastStart: start)
    }
}

/// Reads one side for a run (ARCHITECTURE.md §5): a delta from the stored cursor when the connector has a
/// change feed and the run is not `full`; otherwise a full listing of the window, chunk by chunk,
/// each chunk followed through all its pages.
public struct SideReader {
    public var connector: any Connector
    public var window: TimeWindow
    public var chunkDays: Int
    /// Upper bound on pages per listing, so a connector that never ends its paging cannot hang a run.
    public var pageLimit = 1_000_000
    /// How many items a full listing is expected to return (room is made for them at once).
    public var expectedItems = 0
    /// Gives the items that need not be held whole (`UnchangedFilter`): nil keeps an item whole.
    /// The second argument is the fingerprint of the item's source row, when the connector gave one.
    var unchanged: ((SourceItem, UInt64?) -> ItemTable.Unchanged?)?
    /// Gives the unmapped rows that need not be mapped (`ItemSink.takeUnchanged`), by key and
    /// fingerprint: nil has the row mapped.
    var unchangedRow: ((String, UInt64) -> ItemTable.Unchanged?)?

    public init(connector: any Connector, window: TimeWindow, chunkDays: Int) {
        self.connector = connector
        self.window = window
        self.chunkDays = chunkDays
    }

    /// - Throws: what the connector throws, or `sync.paging_runaway`.
    public func read(cursor: String?, since: Date?, full: Bool, onPage: (Int) -> Void = { _ in }) throws -> SideRead {
        var out = SideRead()
        out.window = window
        if readsDelta(cursor: cursor, since: since, full: full) {
            out.isDelta = true
            try listing(
                ReadRequest(window: window, cursor: since == nil ? cursor : nil, since: since), into: &out,
                onPage: onPage)
            return out
        }
        if unchanged != nil {
            out.items.reserveUnchanged(expectedItems)
        } else {
            out.items.reserveCapacity(expectedItems)
        }
        for chunk in window.chunks(days: chunkDays) {
            try listing(ReadRequest(window: chunk), into: &out, onPage: onPage)
        }
        return out
    }

    /// Whether `read` reads a delta (from `cursor` or `since`) rather than the whole window.
    public func readsDelta(cursor: String?, since: Date?, full: Bool) -> Bool {
        connector.capabilities.contains(.changeFeed) && !full && (cursor != nil || since != nil)
    }

    private func listing(_ first: ReadRequest, into out: inout SideRead, onPage: (Int) -> Void) throws {
        var request = first
        var pages = 0
        while true {
            // The items go into `out` as they are read: the sink holds its table for the call.
            var sink = TableSink(unchanged: unchanged, unchangedRow: unchangedRow)
            swap(&sink.items, &out.items)
            swap(&sink.deleted, &out.deleted)
            let page = try connector.read(request, into: &sink)
            swap(&sink.items, &out.items)
            swap(&sink.deleted, &out.deleted)
            pages += 1
            out.pages += 1
            onPage(out.pages)
            for key in page.deleted where !out.items.contains(key) || first.cursor != nil || first.since != nil {
                out.items[key] = nil
                out.deleted.insert(key)
            }
            out.refresh.merge(page.refresh) { first, _ in first }
            for problem in page.problems where !out.problems.contains(problem) {
                out.problems.append(problem)  // listings of several chunks may repeat an unreadable row
            }
            if let next = page.continuation {
                guard pages < pageLimit else {
                    throw AlmanacError(
                        .syncPagingRunaway, "the connector returned more than \(pageLimit) pages for one listing")
                }
                request.continuation = next
                continue
            }
            if case .complete(let w) = page.coverage { out.covered.append(w) }
            if out.cursor == nil { out.cursor = page.cursor }
            return
        }
    }
}

/// Takes the items of one `read(_:into:)` call into a side's table as the connector reads them,
/// each unchanged one (`SideReader.unchanged`) as its key and version only.
private struct TableSink: ItemSink {
    var items = ItemTable()
    var deleted: Set<String> = []
    let unchanged: ((SourceItem, UInt64?) -> ItemTable.Unchanged?)?
    let unchangedRow: ((String, UInt64) -> ItemTable.Unchanged?)?
    /// Keys first held during this call: what `restart` forgets.
    private var added: [String] = []

    init(
        unchanged: ((SourceItem, UInt64?) -> ItemTable.Unchanged?)?,
        unchangedRow: ((String, UInt64) -> ItemTable.Unchanged?)?
    ) {
        self.unchanged = unchanged
        self.unchangedRow = unchangedRow
    }

    mutating func take(_ item: SourceItem) { take(item, fingerprint: nil) }

    mutating func take(_ item: SourceItem, fingerprint: UInt64) { take(item, fingerprint: Optional(fingerprint)) }

    private mutating func take(_ item: SourceItem, fingerprint: UInt64?) {
        let new: Bool
        if let unchanged, let slim = unchanged(item, fingerprint) {
            new = items.setUnchanged(slim)
        } else {
            new = items.put(item)
        }
        if new { added.append(item.key) }
        if !deleted.isEmpty { deleted.remove(item.key) }
    }

    mutating func takeUnchanged(key: String, fingerprint: UInt64) -> Bool {
        guard let unchangedRow, let slim = unchangedRow(key, fingerprint) else { return false }
        if items.setUnchanged(slim) { added.append(key) }
        if !deleted.isEmpty { deleted.remove(key) }
        return true
    }

    mutating func restart() {
        for key in added { items[key] = nil }
        added.removeAll(keepingCapacity: true)
    }
}
