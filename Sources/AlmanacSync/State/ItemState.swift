import AlmanacCore
import Foundation

/// The engine's memory of one item of a job: the last synced base and, per side, its key, content
/// hash and version. A side's key is nil when the item does not (or no longer) exist there.
public struct ItemState: Hashable, Sendable {
    /// Row id in the state store; nil until first committed.
    public var id: Int64?
    public var keyFrom: String?
    public var keyTo: String?
    /// `ContentProjection.hash` of each side's content as last synced.
    public var hashFrom: String?
    public var hashTo: String?
    public var versionFrom: String?
    public var versionTo: String?
    /// The base: the merged content both sides agreed on, as JSON (decoded only for merges).
    public var baseData: Data?
    /// What each side holds where it differs from the base (nil: it holds the base), as JSON. A
    /// side keeps its own value when it may not take the merge (`apply.update` or
    /// `apply_back.update` false); a run that does not read that side (a delta without it) must
    /// see that value, not the base, or its next update would undo the edit it refused to take.
    public var heldFrom: Data?
    public var heldTo: Data?
    /// The base's start, for window-aware deletes.
    public var start: Date?
    /// Generation of the deterministic id used for the next create (ARCHITECTURE.md §5).
    public var generation: Int
    /// The side the item was first read from (`from` for items we created on `to`).
    public var origin: ConnectorContext.Side
    /// The last write-back sent toward `from`: `confirmed` or `cancelled`.
    public var writeBack: String?
    /// The first participant's response on `to` as last seen (`ResponseStatus` raw value; empty
    /// when the event has no participant), for jobs that write confirmations back. Nil when not
    /// tracked or not yet seen.
    public var responseTo: String?
    /// Fields of the base the job derived on the `from` side rather than read there (a title made
    /// by `title_template`): never written back unless the `to` side changed them.
    public var derived: Set<EventField>
    /// The sides on which the item was last seen out of the window (moved away): left alone, and
    /// still taken as away on a run that does not read it again (a delta reports a move once).
    public var away: Set<ConnectorContext.Side> = []
    /// Whether `baseData`, `heldFrom` and `heldTo` were read from the state file. The engine
    /// loads the state without them (`StateStore.items(job:withBases:)`: they are most of its
    /// memory) and reads them for the items it plans in full (`StateStore.withBase`); a state
    /// committed without them keeps the stored ones.
    public internal(set) var baseLoaded = true

    public init(
        id: Int64? = nil, keyFrom: String? = nil, keyTo: String? = nil, hashFrom: String? = nil,
        hashTo: String? = nil, versionFrom: String? = nil, versionTo: String? = nil, baseData: Data? = nil,
        heldFrom: Data? = nil, heldTo: Data? = nil, start: Date? = nil, generation: Int = 0,
        origin: ConnectorContext.Side = .from,
        writeBack: String? = nil, responseTo: String? = nil, derived: Set<EventField> = []
    ) {
        self.id = id
        self.keyFrom = keyFrom
        self.keyTo = keyTo
        self.hashFrom = hashFrom
        self.hashTo = hashTo
        self.versionFrom = versionFrom
        self.versionTo = versionTo
        self.baseData = baseData
        self.heldFrom = heldFrom
        self.heldTo = heldTo
        self.start = start
        self.generation = generation
        self.origin = origin
        self.writeBack = writeBack
        self.responseTo = responseTo
        self.derived = derived
    }

    /// Whether the `to` item was found deleted while the `from` item was out of the window: the
    /// link is kept with no hash or version on `to` (a linked item always has a hash on `from`).
    public var toDeletedWhileAway: Bool { keyTo != nil && hashTo == nil && versionTo == nil && hashFrom != nil }

    /// Records that the `to` item is gone while the `from` item is away (`toDeletedWhileAway`).
    public mutating func markToDeletedWhileAway() {
        hashTo = nil
        versionTo = nil
    }

    /// `away` as the state file keeps it: `from`, `to` or `from,to`; nil when empty.
    var awayText: String? {
        away.isEmpty
            ? nil : [ConnectorContext.Side.from, .to].filter(away.contains).map(\.rawValue).joined(separator: ",")
    }

    static func away(fromText text: String?) -> Set<ConnectorContext.Side> {
        Set((text ?? "").split(separator: ",").compactMap { ConnectorContext.Side(rawValue: String($0)) })
    }

    /// `derived` as the state file keeps it: field names in `EventField` order, comma-separated;
    /// nil when empty.
    var derivedText: String? {
        derived.isEmpty ? nil : EventField.allCases.filter(derived.contains).map(\.rawValue).joined(separator: ",")
    }

    static func derived(fromText text: String?) -> Set<EventField> {
        guard let text else { return [] }
        return Set(text.split(separator: ",").compactMap { EventField(rawValue: String($0)) })
    }

    /// The decoded base event, if one is stored and readable.
    public var base: Event? {
        guard let baseData else { return nil }
        return try? JSONDecoder().decode(Event.self, from: baseData)
    }

    /// Sets the base event (and its start, for windows); both sides are taken to hold it.
    public mutating func setBase(_ event: Event, zone: TimeZone) {
        baseData = BaseJSON.encode(event)
        start = event.start.date(in: zone)
        heldFrom = nil
        heldTo = nil
        baseLoaded = true
    }

    /// What `side` holds as last seen: its own content where it kept a value the base does not
    /// have, else the base.
    public func held(_ side: ConnectorContext.Side) -> Event? {
        guard let data = side == .from ? heldFrom : heldTo else { return base }
        return (try? JSONDecoder().decode(Event.self, from: data)) ?? base
    }

    /// Records what `side` holds: `event`, kept only when it differs from the base.
    mutating func setHeld(_ event: Event, _ side: ConnectorContext.Side, differsFromBase: Bool) {
        let data = differsFromBase ? BaseJSON.encode(event) : nil
        if side == .from { heldFrom = data } else { heldTo = data }
    }

    public func key(_ side: ConnectorContext.Side) -> String? { side == .from ? keyFrom : keyTo }

    /// Sets the key of `side`.
    mutating func setKey(_ key: String, _ side: ConnectorContext.Side) {
        if side == .from { keyFrom = key } else { keyTo = key }
    }

    /// Records what `side` holds after a write: its version and content hash.
    mutating func setVersion(_ version: String?, hash: String?, _ side: ConnectorContext.Side) {
        if side == .from {
            versionFrom = version
            hashFrom = hash
        } else {
            versionTo = version
            hashTo = hash
        }
    }
}
