import AlmanacCore
import Foundation

/// How a linked pair came to be: first read on `from` (and made on `to` by the job), first read
/// on `to` (and made on `from`), or `found` on both sides by a first link (`match`), neither item
/// made by the job. Stored as its raw value; a state written before `found` existed reads as `from`.
public enum ItemOrigin: String, Hashable, Sendable {
    case from, to, found

    /// Whether the job made the item on `side` (the other side is where it was first read).
    public func made(_ side: ConnectorContext.Side) -> Bool {
        switch self {
        case .from: side == .to
        case .to: side == .from
        case .found: false
        }
    }

    /// Whether an update toward `side` carries the create id as its origin stamp: where the job
    /// made the item, and on the `to` item of a first link (so a lost state links it again by
    /// the stamp; the state's `found` still says the job did not make it).
    public func stamps(_ side: ConnectorContext.Side) -> Bool { self == .found ? side == .to : made(side) }
}

/// The engine's memory of one item of a job: the last synced base and, per side, its key, content
/// hash and version. A side's key is nil when the item does not (or no longer) exist there.
public struct ItemState: Hashable, Sendable {
    // In memory a state is compact (the engine holds one per item of a job): the hashes as
    // words (`PackedHash`), the fields most items leave empty out of line (`Rare`), and the
    // stored properties ordered so that little is padding.
    public var keyFrom: String?
    public var keyTo: String?
    public var versionFrom: String?
    public var versionTo: String?
    /// The first participant's response on `to` as last seen (`ResponseStatus` raw value; empty
    /// when the event has no participant), for jobs that write confirmations back. Nil when not
    /// tracked or not yet seen.
    public var responseTo: String?
    private var packedHashFrom: PackedHash?
    private var packedHashTo: PackedHash?
    /// Generation of the deterministic id used for the next create (ARCHITECTURE.md §5).
    public var generation: Int
    /// What a row read from `from` was last found to map to (`RowFact`): its fingerprint bound to
    /// `hashFrom`, `versionFrom`, `start` and the job's settings; 0 when none is known. A row with
    /// that fingerprint is then taken as unchanged without being mapped (`UnchangedFilter`).
    public var rowFrom: UInt64 = 0
    private var rare: RareBox?
    /// Row id in the state store; nil until first committed.
    public var id: Int64?
    /// The base's start, for window-aware deletes.
    public var start: Date?
    /// Where the pair came from (`from` for items we created on `to`; `found` for a pair matched
    /// on a first link, neither made by us).
    public var origin: ItemOrigin
    /// Whether `baseData`, `heldFrom` and `heldTo` were read from the state file. The engine
    /// loads the state without them (`StateStore.items(job:withBases:)`: they are most of its
    /// memory) and reads them for the items it plans in full (`StateStore.withBase`); a state
    /// committed without them keeps the stored ones.
    public internal(set) var baseLoaded = true

    /// `ContentProjection.hash` of each side's content as last synced.
    public var hashFrom: String? {
        get { packedHashFrom?.text }
        set { packedHashFrom = newValue.map(PackedHash.init) }
    }
    public var hashTo: String? {
        get { packedHashTo?.text }
        set { packedHashTo = newValue.map(PackedHash.init) }
    }

    /// Whether the hash of `side` as last synced is `hash` (`hashFrom == hash`, without making
    /// the stored one a string).
    func hasHash(_ hash: String, _ side: ConnectorContext.Side) -> Bool {
        (side == .from ? packedHashFrom : packedHashTo)?.matches(hash) ?? false
    }

    /// The base: the merged content both sides agreed on, as JSON (decoded only for merges).
    public var baseData: Data? {
        get { rare?.value.baseData }
        set { modifyRare { $0.baseData = newValue } }
    }
    /// What each side holds where it differs from the base (nil: it holds the base), as JSON. A
    /// side keeps its own value when it may not take the merge (`apply.update` or
    /// `apply_back.update` false); a run that does not read that side (a delta without it) must
    /// see that value, not the base, or its next update would undo the edit it refused to take.
    public var heldFrom: Data? {
        get { rare?.value.heldFrom }
        set { modifyRare { $0.heldFrom = newValue } }
    }
    public var heldTo: Data? {
        get { rare?.value.heldTo }
        set { modifyRare { $0.heldTo = newValue } }
    }
    /// The last write-back sent toward `from`: `confirmed` or `cancelled`.
    public var writeBack: String? {
        get { rare?.value.writeBack }
        set { modifyRare { $0.writeBack = newValue } }
    }
    /// Fields of the base the job derived on the `from` side rather than read there (a title made
    /// by `title_template`): never written back unless the `to` side changed them.
    public var derived: Set<EventField> {
        get { rare?.value.derived ?? [] }
        set { modifyRare { $0.derived = newValue } }
    }
    /// The sides on which the item was last seen out of the window (moved away): left alone, and
    /// still taken as away on a run that does not read it again (a delta reports a move once).
    public var away: Set<ConnectorContext.Side> {
        get { rare?.value.away ?? [] }
        set { modifyRare { $0.away = newValue } }
    }

    /// The fields most items leave empty; nil in `rare` when all are.
    private struct Rare: Hashable, Sendable {
        var baseData: Data?
        var heldFrom: Data?
        var heldTo: Data?
        var writeBack: String?
        var derived: Set<EventField> = []
        var away: Set<ConnectorContext.Side> = []
    }

    private final class RareBox: Hashable, Sendable {
        let value: Rare
        init(_ value: Rare) { self.value = value }
        static func == (a: RareBox, b: RareBox) -> Bool { a.value == b.value }
        func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
    }

    private mutating func modifyRare(_ change: (inout Rare) -> Void) {
        var value = rare?.value ?? Rare()
        change(&value)
        rare = value == Rare() ? nil : RareBox(value)
    }

    public init(
        id: Int64? = nil, keyFrom: String? = nil, keyTo: String? = nil, hashFrom: String? = nil,
        hashTo: String? = nil, versionFrom: String? = nil, versionTo: String? = nil, baseData: Data? = nil,
        heldFrom: Data? = nil, heldTo: Data? = nil, start: Date? = nil, generation: Int = 0,
        origin: ItemOrigin = .from,
        writeBack: String? = nil, responseTo: String? = nil, derived: Set<EventField> = []
    ) {
        self.id = id
        self.keyFrom = keyFrom
        self.keyTo = keyTo
        // Equal hashes (both sides as last synced, the usual case) share one value.
        self.packedHashFrom = hashFrom.map(PackedHash.init)
        self.packedHashTo = hashTo == hashFrom ? packedHashFrom : hashTo.map(PackedHash.init)
        self.versionFrom = versionFrom
        self.versionTo = versionTo
        self.start = start
        self.generation = generation
        self.origin = origin
        self.responseTo = responseTo
        // Most states have none of the rare fields (the state load makes 100,000 of them): that is
        // tested field by field, not by making an empty `Rare` to compare with.
        let none = baseData == nil && heldFrom == nil && heldTo == nil && writeBack == nil && derived.isEmpty
        let rare =
            none
            ? nil : Rare(baseData: baseData, heldFrom: heldFrom, heldTo: heldTo, writeBack: writeBack, derived: derived)
        self.rare = rare.map(RareBox.init)
    }

    /// Whether the `to` item was found deleted while the `from` item was out of the window: the
    /// link is kept with no hash or version on `to` (a linked item always has a hash on `from`).
    public var toDeletedWhileAway: Bool {
        keyTo != nil && packedHashTo == nil && versionTo == nil && packedHashFrom != nil
    }

    /// Whether a hash of `side` is stored (`hashFrom != nil`, without making it a string).
    func hasAnyHash(_ side: ConnectorContext.Side) -> Bool {
        (side == .from ? packedHashFrom : packedHashTo) != nil
    }

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

extension ItemState {
    // Read through a pointer to a state where it is held (`UnchangedFilter`, item after item): a
    // method called on `pointer.pointee` copies the whole state first, retaining and releasing
    // each of its strings; a stored field read there is loaded alone.

    /// The stored hash of `side` of the state at `p` (`hasHash`, `hasAnyHash`).
    static func packedHash(at p: UnsafePointer<ItemState>, _ side: ConnectorContext.Side) -> PackedHash? {
        side == .from ? p.pointee.packedHashFrom : p.pointee.packedHashTo
    }

    /// Whether the state at `p` is away on some side (`away` not empty).
    static func isAway(at p: UnsafePointer<ItemState>) -> Bool {
        guard let rare = p.pointee.rare else { return false }
        return !rare.value.away.isEmpty
    }
}
