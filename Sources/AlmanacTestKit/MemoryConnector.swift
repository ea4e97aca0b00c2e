import AlmanacCore
import Foundation
import Synchronization

/// The reference connector: every capability, over a `MemoryStore`; carries events and contacts.
///
/// - `read` with no cursor lists the window (items whose start falls in it; every contact, for
///   `kind` contacts: windows do not apply to them) in pages of
///   `options.pageSize`, coverage `.complete(window)`, and ends with a cursor (`seq:N`).
/// - `read` with a cursor (or `since`) returns every item changed after it, in change order,
///   with deletions in `deleted`, coverage `.delta`.
/// - `write`: `.create` uses the id as key (a reused id, live or deleted, is a conflict) unless the
///   store assigns keys; `.update`/`.delete` check `ifVersion` (stale = conflict, missing = gone);
///   `.confirm`/`.cancel` are recorded on the item.
/// - `lookup` returns the live items among the keys, wherever their start lies.
/// - `faults` inject failures (see `MemoryFaults`).
public final class MemoryConnector: Connector {
    public let store: MemoryStore
    public let faults: MemoryFaults
    /// The zone in which all-day dates are placed in windows.
    public let timeZone: TimeZone
    /// What the job syncs (`ConnectorContext.kind`): a contacts listing ignores the window.
    public let kind: ItemKind

    public init(
        store: MemoryStore, faults: MemoryFaults = MemoryFaults(),
        timeZone: TimeZone = TimeZone(identifier: "UTC")!, kind: ItemKind = .events
    ) {
        self.store = store
        self.faults = faults
        self.timeZone = timeZone
        self.kind = kind
    }

    public var capabilities: ConnectorCapabilities { store.options.capabilities }
    public var fields: Set<EventField> { store.options.fields }
    public var kinds: Set<ItemKind> { [.events, .contacts] }
    public var contactShape: ContactShape { store.options.storedShape }

    public func read(_ request: ReadRequest) throws -> ReadPage {
        if let error = faults.takeReadError() { throw error }
        let offset = request.continuation.flatMap { Int($0) } ?? 0
        let zone = timeZone
        let contacts = kind == .contacts
        return try store.withContents { c in
            let size = max(1, c.options.pageSize)
            let sinceSeq = try request.cursor.map(Self.parseCursor)
            let delta = sinceSeq != nil || request.since != nil
            var listed: [MemoryStore.Record]
            if delta {
                listed = c.records.values.filter { r in
                    if let s = sinceSeq { return r.seq > s }
                    return r.modified >= request.since!
                }.sorted { $0.seq < $1.seq }
            } else {
                listed = c.records.values.filter { r in
                    !r.deleted && (contacts || request.window.contains(r.event.start.date(in: zone)))
                }.sorted { $0.key < $1.key }
            }
            let end = min(listed.count, offset + size)
            let slice = offset < end ? Array(listed[offset..<end]) : []
            let more = end < listed.count
            var page = ReadPage(
                items: slice.filter { !$0.deleted }.map {
                    SourceItem(key: $0.key, version: "v\($0.version)", event: $0.event)
                },
                deleted: slice.filter(\.deleted).map(\.key),
                problems: offset == 0 && !delta ? c.problems : [],
                coverage: delta ? .delta : .complete(request.window),
                continuation: more ? String(end) : nil)
            if !more && c.options.capabilities.contains(.changeFeed) { page.cursor = "seq:\(c.seq)" }
            return page
        }
    }

    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        if let error = faults.takeWriteError() { throw error }
        var out: [WriteOutcome] = []
        out.reserveCapacity(changes.count)
        // With an item hook (crash tests), each item is saved before the hook runs; otherwise the
        // batch is saved once.
        let perItem = faults.hasItemHook
        for (i, change) in changes.enumerated() {
            if let failure = faults.failure(for: change) {
                out.append(failure)
                continue
            }
            if perItem {
                out.append(try store.mutate { c in Self.apply(change, to: &c) })
                faults.afterItem(i)
            } else {
                out.append(store.withContents { c in Self.apply(change, to: &c) })
            }
        }
        if !perItem { try store.persist() }
        return out
    }

    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        if let error = faults.takeReadError() { throw error }
        return store.withContents { c in
            keys.compactMap { key in
                guard let r = c.records[key], !r.deleted else { return nil }
                return SourceItem(key: key, version: "v\(r.version)", event: r.event)
            }
        }
    }

    public func testConnection() -> ConnectionReport {
        ConnectionReport(steps: [.init(name: "memory", ok: true, detail: "\(store.live.count) items")])
    }

    static func parseCursor(_ cursor: String) throws -> Int {
        guard cursor.hasPrefix("seq:"), let n = Int(cursor.dropFirst(4)) else {
            throw AlmanacError(.memoryBadCursor, "not a memory cursor: \(cursor)")
        }
        return n
    }

    static func apply(_ change: Change, to c: inout MemoryStore.Contents) -> WriteOutcome {
        func current(_ key: String) -> SourceItem? {
            guard let r = c.records[key], !r.deleted else { return nil }
            return SourceItem(key: key, version: "v\(r.version)", event: r.event)
        }
        func check(_ key: String, _ ifVersion: String?) -> WriteOutcome? {
            guard let r = c.records[key], !r.deleted else { return .gone }
            if let v = ifVersion, v != "v\(r.version)" { return .conflict(current: current(key)) }
            return nil
        }
        switch change {
        case .create(let id, var event):
            guard !id.isEmpty else { return .failed(retryable: false, reason: "empty id") }
            if case .instant(let s, _) = event.start, case .instant(let e, _)? = event.end, e < s {
                return .failed(retryable: false, reason: "end before start")
            }
            event.origin = id
            if c.options.assignsKeys {
                let key = c.newKey()
                c.store(key, event: event, writeBack: nil)
                return .written(key: key, version: "v\(c.records[key]!.version)")
            }
            if c.records[id] != nil { return .conflict(current: current(id)) }
            c.store(id, event: event, writeBack: nil)
            return .written(key: id, version: "v\(c.records[id]!.version)")
        case .update(let key, let ifVersion, var event):
            if let problem = check(key, ifVersion) { return problem }
            if case .instant(let s, _) = event.start, case .instant(let e, _)? = event.end, e < s {
                return .failed(retryable: false, reason: "end before start")
            }
            event.origin = c.records[key]!.event.origin
            c.store(key, event: event, writeBack: nil)
            return .written(key: key, version: "v\(c.records[key]!.version)")
        case .delete(let key, let ifVersion):
            if let problem = check(key, ifVersion) { return problem }
            c.tombstone(key)
            return .written(key: key, version: nil)
        case .confirm(let key, _), .cancel(let key, _):
            guard var r = c.records[key], !r.deleted else { return .gone }
            if case .confirm = change { r.writeBacks.append("confirmed") } else { r.writeBacks.append("cancelled") }
            c.records[key] = r
            return .written(key: key, version: "v\(r.version)")
        }
    }
}

/// Failures a test asks `MemoryConnector` to produce. Thread-safe; each rule fires as described.
public final class MemoryFaults: Sendable {
    struct State {
        var readErrors: [AlmanacError] = []
        var writeErrors: [AlmanacError] = []
        var itemFailures: [String: WriteOutcome] = [:]
        var afterItem: (@Sendable (Int) -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// The next `read` throws `error` (once per call to this function).
    public func failNextRead(_ error: AlmanacError) { state.withLock { $0.readErrors.append(error) } }
    /// The next `write` throws `error` before doing anything.
    public func failNextWrite(_ error: AlmanacError) { state.withLock { $0.writeErrors.append(error) } }
    /// Every change aimed at `key` (the create id for creates) gets `outcome` instead of being applied.
    public func fail(key: String, with outcome: WriteOutcome?) { state.withLock { $0.itemFailures[key] = outcome } }
    /// Called after each item of a write batch is applied and saved, with its index (crash tests
    /// exit the process here).
    public func onItemApplied(_ hook: (@Sendable (Int) -> Void)?) { state.withLock { $0.afterItem = hook } }

    func takeReadError() -> AlmanacError? {
        state.withLock { $0.readErrors.isEmpty ? nil : $0.readErrors.removeFirst() }
    }

    func takeWriteError() -> AlmanacError? {
        state.withLock { $0.writeErrors.isEmpty ? nil : $0.writeErrors.removeFirst() }
    }

    func failure(for change: Change) -> WriteOutcome? {
        let key: String
        switch change {
        case .create(let id, _): key = id
        case .update(let k, _, _), .delete(let k, _), .confirm(let k, _), .cancel(let k, _): key = k
        }
        return state.withLock { $0.itemFailures[key] }
    }

    var hasItemHook: Bool { state.withLock { $0.afterItem != nil } }

    func afterItem(_ index: Int) {
        let hook = state.withLock { $0.afterItem }
        hook?(index)
    }
}
