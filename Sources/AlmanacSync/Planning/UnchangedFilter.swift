import AlmanacCore
import Foundation

/// Decides, while the `from` side is read after a delta of `to`, which `from` items the planner
/// would find unchanged without looking at them again: those it need not hold whole
/// (`ItemTable.Unchanged`, key and version only). A no-change resync of a large source then holds
/// one page of items at a time, not every item until planning.
///
/// An item is unchanged when all of these hold, which are the conditions of `Planner`'s fast
/// paths (both sides as stored; `from` as stored and `to` not listed by its delta) with every
/// reason the planner might look at the item again ruled out:
/// - a state row links it (`keyFrom`) to a `to` item (`keyTo`) with both hashes stored, and it
///   is away on neither side;
/// - it starts inside the window, has no problem (`SyncJob.problem`), carries no origin stamp
///   and, in a two-way job, is not the write-back id of a `to` item read (those are found by key
///   when linking new items);
/// - its content hash, in the job's view, is the state's `hashFrom`, and the job does not
///   exclude it;
/// - the `to` item is either listed with the state's `hashTo`, the state's response and a start
///   inside the window, or not listed and not known deleted (`SideRead.isDeleted`); and the `to`
///   side did not name it to be written again (`SideRead.refresh`).
///
/// `to` must be read completely first: its items, tombstones and coverage are all it looks at.
/// What is read later (`AbsenceCheck`, `UnlinkedProbe`) never concerns such an item: it is not
/// missing from a listing, not away, and linked.
final class UnchangedFilter {
    let job: SyncJob
    let window: TimeWindow
    let to: SideRead
    private let load: () throws -> [ItemState]
    /// The states, and each `keyFrom`'s row among them: made at the first item.
    private var states: [ItemState] = []
    private var rowOfKey = KeyIndex()
    private var writeBackIDs: Set<String> = []
    private var ready = false
    /// Whether `to` holds no item, tombstone, move or covered window: then no `to` item is
    /// listed and none is known deleted (`SideRead.isDeleted`), whatever its key.
    private let toSaysNothing: Bool
    /// What rows read from `from` map to (`ItemState.rowFrom`).
    private let facts: RowFact

    /// `load` gives the job's states (it may wait for them); when it throws, every item is kept
    /// whole (the run fails on that error before planning anyway).
    init(job: SyncJob, window: TimeWindow, to: SideRead, states load: @escaping () throws -> [ItemState]) {
        self.job = job
        self.window = window
        self.to = to
        self.load = load
        toSaysNothing = to.items.isEmpty && to.deleted.isEmpty && to.movedAway.isEmpty && to.covered.isEmpty
        facts = RowFact(job: job)
    }

    private func prepare() {
        ready = true
        guard let loaded = try? load() else { return }
        states = loaded
        let states = self.states
        let keyAt = { (row: Int) in states[row].keyFrom ?? "" }
        rowOfKey.reserve(states.count, keyAt: keyAt)
        for i in states.indices {
            if let key = states[i].keyFrom { rowOfKey.set(key, to: i, keyAt: keyAt) }
        }
        if job.twoWay {
            writeBackIDs = Set(to.items.keys.map { job.id(.from, sourceKey: $0, generation: 0) })
        }
    }

    /// `item` as unchanged, or nil when the planner needs it whole. With the `fingerprint` of
    /// the row it was mapped from, an unchanged item carries the fact to keep of that row
    /// (`RowFact`) when the state's is not it.
    func reduce(_ item: SourceItem, fingerprint: UInt64? = nil) -> ItemTable.Unchanged? {
        if !ready { prepare() }
        // The state is read where the array holds it: a copy of it would retain each of its
        // strings and release them again, item after item.
        return states.withUnsafeBufferPointer { states in
            guard let row = rowOfKey.position(of: item.key, keyAt: { states[$0].keyFrom ?? "" }) else { return nil }
            return reduce(item, fingerprint: fingerprint, as: states.baseAddress! + row)
        }
    }

    /// The item of the row `fingerprint` with the key `key` as unchanged, without the item: when
    /// the state's `rowFrom` says what that row maps to (`RowFact`) and the state finds that
    /// unchanged as `reduce` would. Nil when the row must be mapped.
    func reduce(key: String, fingerprint: UInt64) -> ItemTable.Unchanged? {
        if !ready { prepare() }
        return states.withUnsafeBufferPointer { states in
            guard let row = rowOfKey.position(of: key, keyAt: { states[$0].keyFrom ?? "" }) else { return nil }
            let s = states.baseAddress! + row
            guard s.pointee.rowFrom != 0, let start = s.pointee.start, window.contains(start),
                let hashFrom = ItemState.packedHash(at: s, .from), stateUnchanged(key, s),
                facts.make(fingerprint: fingerprint, hash: hashFrom, version: s.pointee.versionFrom, start: start)
                    == s.pointee.rowFrom
            else { return nil }
            return ItemTable.Unchanged(key: key, version: nil, versionChanged: false)
        }
    }

    /// The conditions on the state at `s` alone (and on the `to` side's read of its item) under
    /// which the `from` item `key` can be unchanged.
    private func stateUnchanged(_ key: String, _ s: UnsafePointer<ItemState>) -> Bool {
        guard !ItemState.isAway(at: s), s.pointee.keyTo != nil, ItemState.packedHash(at: s, .from) != nil,
            let hashTo = ItemState.packedHash(at: s, .to), !job.twoWay || !writeBackIDs.contains(key)
        else { return false }
        // Named by `to` to be written again (`SideRead.refresh`): the planner needs it whole.
        if !to.refresh.isEmpty, let keyTo = s.pointee.keyTo, to.refresh[keyTo] != nil { return false }
        // A delta of `to` that lists, deletes and covers nothing says nothing of any key: the
        // `to` key is then not read (nor its string touched).
        if !toSaysNothing, let keyTo = s.pointee.keyTo {
            let zone = job.timeZone
            if let ti = to.items[keyTo] {
                guard to.inWindow(ti.event, zone: zone), job.responseSignal(ti.event) == s.pointee.responseTo,
                    hashTo.matches(job.projection.hash(ti.event))
                else { return false }
            } else if to.items.contains(keyTo) || to.isDeleted(keyTo, lastStart: s.pointee.start) {
                return false
            }
        }
        return true
    }

    /// `reduce` of `item` with the state at `s`, its stored fields read there one by one
    /// (`ItemState.packedHash(at:_:)`).
    private func reduce(
        _ item: SourceItem, fingerprint: UInt64?, as s: UnsafePointer<ItemState>
    ) -> ItemTable.Unchanged? {
        let zone = job.timeZone
        let start = item.event.start.date(in: zone)
        guard item.event.origin == nil, window.contains(start), job.problem(item.event) == nil,
            stateUnchanged(item.key, s), let hashFrom = ItemState.packedHash(at: s, .from)
        else { return nil }
        // `fromView` changes the event only where `fillsTitle` says so (a copy only then), and
        // `excluded` looks at the status and the job's `include`/`exclude`.
        guard job.excluded(item.event) == nil else { return nil }
        let view = item.event
        let hash = job.fillsTitle(view) ? job.projection.hash(job.fromView(view)) : job.projection.hash(view)
        guard hashFrom.matches(hash) else { return nil }
        let changed = item.version != s.pointee.versionFrom
        // A contact may have changed a part `to` cannot hold: the planner keeps what it holds.
        if changed && job.contacts { return nil }
        // The fact binds the state's start: kept only when the item starts there (else it could
        // never match).
        var fact: UInt64 = 0
        if let fingerprint, start == s.pointee.start {
            let made = facts.make(fingerprint: fingerprint, hash: hashFrom, version: item.version, start: start)
            if made != s.pointee.rowFrom { fact = made }
        }
        return ItemTable.Unchanged(
            key: item.key, version: changed ? item.version : nil, versionChanged: changed, rowFrom: fact)
    }
}
