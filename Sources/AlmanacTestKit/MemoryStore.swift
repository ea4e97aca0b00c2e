import AlmanacCore
import Foundation
import Synchronization

/// The backing store of `MemoryConnector`: a calendar kept in memory, optionally mirrored to a
/// JSON file so that it survives the process (the crash tests kill writers mid-sync).
///
/// Semantics follow the strictest real services: every write bumps a record's version; a stale
/// `ifVersion` is a conflict; ids of deleted items stay reserved (a create reusing one is a
/// conflict with no current item, as Google answers 409); every change gets a sequence number
/// that the change feed returns in order.
public final class MemoryStore: Sendable {
    /// One stored item.
    public struct Record: Codable, Sendable, Hashable {
        public var key: String
        public var version: Int
        public var event: Event
        public var deleted: Bool
        /// Sequence number of the last change (for the change feed).
        public var seq: Int
        /// Write-backs received, in order: `confirmed`, `cancelled`.
        public var writeBacks: [String]
        /// When it last changed.
        public var modified: Date = Date()
    }

    /// How the store behaves; tests pick the behaviour of the side they imitate.
    public struct Options: Codable, Sendable, Hashable {
        /// The store assigns its own keys (like a database with serial ids) and keeps the create id
        /// in the origin stamp; otherwise the create id is the key (like Google or Cronofy).
        public var assignsKeys = false
        /// Items per page of a listing.
        public var pageSize = 50
        public var capabilities: ConnectorCapabilities = [.read, .write, .delete, .changeFeed, .writeBack, .lookup]
        /// Fields stored; other fields are dropped on write, as a narrower side would.
        public var fields: Set<EventField> = Set(EventField.allCases)
        /// Contact fields stored (`Event.contact`); others are dropped on write.
        public var contactFields: Set<ContactField> = Set(ContactField.allCases)
        /// The parts of a contact stored, within `contactFields`; others are dropped on write, as
        /// a narrower side (a table with two e-mail columns) would.
        public var contactShape = ContactShape.full
        public init() {}

        /// What the store keeps of a contact: `contactShape` within `contactFields`.
        public var storedShape: ContactShape { contactShape.intersection(ContactShape(fields: contactFields)) }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            assignsKeys = try c.decode(Bool.self, forKey: .assignsKeys)
            pageSize = try c.decode(Int.self, forKey: .pageSize)
            capabilities = try c.decode(ConnectorCapabilities.self, forKey: .capabilities)
            fields = try c.decode(Set<EventField>.self, forKey: .fields)
            contactFields =
                try c.decodeIfPresent(Set<ContactField>.self, forKey: .contactFields) ?? Set(ContactField.allCases)
            contactShape = try c.decodeIfPresent(ContactShape.self, forKey: .contactShape) ?? .full
        }
    }

    struct Contents: Codable, Sendable {
        var options: Options
        var records: [String: Record] = [:]
        var seq = 0
        var nextKey = 1
        var problems: [ItemProblem] = []
    }

    private let contents: Mutex<Contents>
    /// Where the contents are mirrored after every change, if anywhere.
    public let file: URL?

    /// An empty store, or the one saved in `file` when that exists.
    public init(options: Options = Options(), file: URL? = nil) throws {
        self.file = file
        if let file, let data = try? Data(contentsOf: file) {
            do {
                contents = Mutex(try JSONDecoder().decode(Contents.self, from: data))
            } catch {
                throw AlmanacError(.memoryCorrupt, "cannot read memory store \(file.path): \(error)", cause: error)
            }
        } else {
            contents = Mutex(Contents(options: options))
        }
    }

    public var options: Options { contents.withLock { $0.options } }

    // MARK: Inspection and seeding (bypass the connector, as a user editing the other end would).

    /// Live (not deleted) records by key.
    public var live: [String: Record] {
        contents.withLock { c in c.records.filter { !$0.value.deleted } }
    }

    public func record(_ key: String) -> Record? { contents.withLock { $0.records[key] } }

    /// Adds or replaces an item directly; returns its key (`key` or a new one).
    @discardableResult
    public func put(_ event: Event, key: String? = nil) throws -> String {
        try mutate { c in
            let k = key ?? c.newKey()
            c.store(k, event: event, writeBack: nil)
            return k
        }
    }

    /// Adds many items at once (one save); returns their keys in order.
    @discardableResult
    public func put(contentsOf events: [Event]) throws -> [String] {
        try mutate { c in
            events.map { e in
                let k = c.newKey()
                c.store(k, event: e, writeBack: nil)
                return k
            }
        }
    }

    /// Edits an item in place (new version, new sequence number).
    public func edit(_ key: String, _ change: (inout Event) -> Void) throws {
        try mutate { c in
            guard var r = c.records[key], !r.deleted else { return }
            change(&r.event)
            c.store(key, event: r.event, writeBack: nil)
        }
    }

    /// Deletes an item directly (its key stays reserved).
    public func remove(_ key: String) throws {
        try mutate { c in c.tombstone(key) }
    }

    /// An item the store cannot turn into an event, reported by every full listing.
    public func addProblem(_ problem: ItemProblem) throws {
        try mutate { c in c.problems.append(problem) }
    }

    // MARK: Used by MemoryConnector.

    func withContents<T>(_ body: (inout Contents) throws -> T) rethrows -> T {
        try contents.withLock { try body(&$0) }
    }

    /// Applies `body` and mirrors the result to `file`.
    func mutate<T>(_ body: (inout Contents) throws -> T) throws -> T {
        try contents.withLock { c in
            let out = try body(&c)
            try save(c)
            return out
        }
    }

    /// Saves the contents to `file` now (no-op without a file).
    public func persist() throws { try contents.withLock { try save($0) } }

    private func save(_ c: Contents) throws {
        guard let file else { return }
        let data = try JSONEncoder().encode(c)
        let tmp = file.appendingPathExtension("tmp")
        try data.write(to: tmp)
        guard rename(tmp.path, file.path) == 0 else {
            throw AlmanacError(.memorySaveFailed, "cannot replace \(file.path): errno \(errno)")
        }
    }
}

extension MemoryStore.Contents {
    mutating func newKey() -> String {
        defer { nextKey += 1 }
        return "m\(nextKey)"
    }

    /// Stores `event` under `key` with a new version and sequence number, keeping only the fields
    /// the store represents.
    mutating func store(_ key: String, event: Event, writeBack: String?) {
        seq += 1
        var e = event
        let all = Set(EventField.allCases)
        for f in all.subtracting(options.fields) {
            e.clear(f)
        }
        if let c = e.contact { e.contact = options.storedShape.restricting(c) }
        var r =
            records[key]
            ?? MemoryStore.Record(
                key: key, version: 0, event: e, deleted: false, seq: seq,
                writeBacks: [])
        r.version += 1
        r.event = e
        r.deleted = false
        r.seq = seq
        r.modified = Date()
        if let writeBack { r.writeBacks.append(writeBack) }
        records[key] = r
    }

    mutating func tombstone(_ key: String) {
        guard var r = records[key], !r.deleted else { return }
        seq += 1
        r.deleted = true
        r.version += 1
        r.seq = seq
        r.modified = Date()
        records[key] = r
    }
}

extension Event {
    /// Empties `field` (what a side that cannot store it reads back).
    mutating func clear(_ field: EventField) {
        switch field {
        case .title: title = nil
        case .description: description = nil
        case .location: location = nil
        case .start: break
        case .end: end = nil
        case .status: status = .confirmed
        case .participants: participants = []
        case .responses: for i in participants.indices { participants[i].response = .needsAction }
        case .custom: custom = [:]
        case .recurrence:
            recurrence = nil
            series = nil
        }
    }
}
