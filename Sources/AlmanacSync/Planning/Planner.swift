import AlmanacCore
import Foundation

/// An item as read, in the job's view, with its content hash. A class: planning passes it
/// around a lot, and a reference costs one retain where the struct cost one per field.
final class Seen: Sendable {
    let item: SourceItem
    /// The event as the job sees it (`from`: title template applied).
    let event: Event
    let hash: String
    var key: String { item.key }

    init(item: SourceItem, event: Event, hash: String) {
        self.item = item
        self.event = event
        self.hash = hash
    }
}

/// Decides, for every item of a job, what to create, update, delete, write back or link
/// (ARCHITECTURE.md §5). Each side is compared with the state (the last synced base), never side with side.
///
/// Phases: (A) items the state knows; (M) on a first link, new items of both sides paired by
/// match key; (C) new `from` items, linked by origin stamp when already on `to`, created
/// otherwise; (B) new `to` items of two-way jobs, written back as creates.
/// The planner does no I/O; the plan is applied by `Applier` (or printed by `--dry-run`).
struct Planner {
    let job: SyncJob
    /// Whether new items are matched with the other side's unlinked ones before any is created
    /// (a job's first run, `--relink`: `Planner+FirstLink`).
    var matching = false

    var p: ContentProjection { job.projection }

    /// `withBase` gives a state loaded without its base (`ItemState.baseLoaded`) its base: it is
    /// called for the items planned in full, never for those the fast paths find unchanged.
    func plan(
        states: [ItemState], from: SideRead, to: SideRead, withBase: (ItemState) throws -> ItemState
    ) rethrows -> Plan {
        var plan = Plan()
        let bad = findBad(from, side: .from, into: &plan).union(findBad(to, side: .to, into: &plan))
        plan.invalid.sort { $0.key < $1.key }
        let index = ReadIndex(job: job, from: from, to: to)
        let inputs = PlanInputs(job: job, from: from, to: to)
        var claimedTo = Set<String>()  // `to` items linked by origin during (A)
        var matchedFrom = 0
        var matchedTo = 0

        // (A) Items the state knows.
        for s in states {
            let (fi, fu) = s.keyFrom.map { from.items.lookup($0) } ?? (nil, nil)
            let ti = s.keyTo.flatMap { to.items[$0] }
            if fi != nil || fu != nil { matchedFrom += 1 }
            if ti != nil { matchedTo += 1 }
            if !bad.isEmpty {
                if let k = s.keyFrom, bad.contains(k) { continue }
                if let k = s.keyTo, bad.contains(k) { continue }
            }
            // Moved out of the window on one side: left alone, its link kept (`Planner+Away`).
            let (away, moved) = awayState(s, fi, ti, from: from, to: to)
            let next = moved ?? s
            if away {
                if next != s {
                    plan.items.append(ItemPlan(previous: s, next: next, stateChanged: true, versionsOnly: true))
                }
                plan.unchanged += 1
                continue
            }
            let back = moved != nil && next != s  // back in the window: the state forgets it was away
            var s = next
            // Named by `to` to be written again (`SideRead.refresh`): planned by `Linked`.
            let refreshed = !to.refresh.isEmpty && s.keyTo.map { to.refresh[$0] != nil } == true
            // Found unchanged as it was read (`UnchangedFilter`): what the fast paths below decide.
            if let fu, !refreshed {
                plan.unchanged += 1
                let versionFrom = fu.versionChanged ? fu.version : s.versionFrom
                let rowFrom = fu.rowFrom != 0 ? fu.rowFrom : s.rowFrom
                if versionFrom != s.versionFrom || (ti != nil && ti?.version != s.versionTo) {
                    var next = s
                    next.versionFrom = versionFrom
                    next.rowFrom = rowFrom
                    if let ti { next.versionTo = ti.version }
                    plan.items.append(ItemPlan(previous: s, next: next, stateChanged: true, versionsOnly: true))
                } else if rowFrom != s.rowFrom, let id = s.id {
                    plan.rowFacts.append((id, rowFrom))
                }
                continue
            }
            // Fast path: both sides read and both hashes as stored.
            if let fi, let ti, !refreshed, s.hasAnyHash(.from), s.hasAnyHash(.to) {
                let view = job.fromView(fi.event)
                if s.hasHash(p.hash(view), .from) && s.hasHash(p.hash(ti.event), .to) && job.excluded(fi.event) == nil
                    && job.responseSignal(ti.event) == s.responseTo
                {
                    plan.unchanged += 1
                    // Versions change without content (a field the job does not sync): keep them
                    // current, or the next conditional write fails on a stale one.
                    if fi.version != s.versionFrom || ti.version != s.versionTo || back {
                        var next =
                            job.contacts
                            ? Self.holding(
                                try withBase(s), from: fi.version != s.versionFrom ? view : nil,
                                to: ti.version != s.versionTo ? ti.event : nil) : s
                        next.versionFrom = fi.version
                        next.versionTo = ti.version
                        plan.items.append(ItemPlan(previous: s, next: next, stateChanged: true, versionsOnly: true))
                    }
                    continue
                }
            }
            if let fi, ti == nil, !back, !refreshed, unchangedUnreadOnTo(s, fi, to: to) {
                plan.unchanged += 1
                if fi.version != s.versionFrom {
                    var next = job.contacts ? Self.holding(try withBase(s), from: job.fromView(fi.event), to: nil) : s
                    next.versionFrom = fi.version
                    plan.items.append(ItemPlan(previous: s, next: next, stateChanged: true, versionsOnly: true))
                }
                continue
            }
            s = try withBase(s)
            let ctx = Linked(
                inputs: inputs, state: s, fromSeen: fi.map { index.seen($0, .from) },
                toSeen: ti.map { index.seen($0, .to) })
            var item = ctx.plan(findOnTo: { id in
                guard let key = index.toKey(origin: id), !claimedTo.contains(key), let t = to.items[key] else {
                    return nil
                }
                return index.seen(t, .to)
            })
            if let linked = item.next.keyTo, linked != s.keyTo { claimedTo.insert(linked) }
            if back { item.stateChanged = true }
            if item.hasWrites || item.stateChanged || item.remove || !item.notes.isEmpty {
                item.previous = s
                if item.versionsOnly { plan.unchanged += 1 }
                plan.items.append(item)
            } else {
                plan.unchanged += 1
            }
        }
        // Items no state row names exist only when a side listed more than the state matched.
        var claimedFrom = Set<String>()
        if matchedFrom < from.items.count { claimedFrom = Set(states.compactMap(\.keyFrom)) }
        if matching || matchedTo < to.items.count || !claimedTo.isEmpty {
            claimedTo.formUnion(states.compactMap(\.keyTo))
        }
        let newFrom =
            matchedFrom < from.items.count
            ? from.items.keys.filter { !claimedFrom.contains($0) && !bad.contains($0) }.sorted() : []

        // (M) First link by match key.
        let matched = matchUnlinked(
            newFrom: newFrom, bad: bad, claimedTo: &claimedTo, index: index, from: from, to: to, into: &plan)

        // (C) New items of `from`.
        for key in newFrom where !matched.contains(key) {
            let f = index.seen(from.items[key]!, .from)
            if f.item.event.origin != nil { continue }  // written back by us; linked in (B)
            // Written back by us under a `to` item's create id (a source that keeps no origin
            // stamp, as SQL rows): linked in (B), like those that keep one.
            if job.twoWay, index.isWriteBackID(key, unclaimed: claimedTo) { continue }
            if !from.inWindow(f.event, zone: job.timeZone) { continue }  // listed by a delta, outside the window
            if let why = job.excluded(f.item.event) {
                plan.items.append(
                    ItemPlan(
                        next: ItemState(),
                        notes: [.init(kind: .skip, target: .to, key: key, reason: why)]))
                continue
            }
            // Made by us before the state was lost, under any generation's id (re-created after a
            // deletion on `to`): linked, not created again.
            if let (tk, generation) = index.toKey(made: key, unclaimed: claimedTo), let ti = to.items[tk] {
                let t = index.seen(ti, .to)
                claimedTo.insert(tk)
                plan.items.append(
                    link(from: f, to: t, origin: .from, reason: "already on to (origin stamp)", generation: generation))
                continue
            }
            let id = job.id(.to, sourceKey: key, generation: 0)
            if let t = to.foundAway[id], !claimedTo.contains(t.key) {
                claimedTo.insert(t.key)
                plan.items.append(linkAway(from: f, to: index.seen(t, .to), origin: .from, away: .to))
                continue
            }
            var next = ItemState(
                keyFrom: key, hashFrom: f.hash, versionFrom: f.item.version, generation: 0, origin: .from,
                responseTo: job.responseSignal(f.event))
            next.setBase(f.event, zone: job.timeZone)
            next.derived = job.derived(f.item.event)
            var item = ItemPlan(next: next)
            if job.config.apply.create && job.toCapabilities.contains(.write) {
                item.toChanges.append(
                    PlannedChange(
                        change: .create(id: id, event: p.creating(f.event)),
                        action: .init(kind: .create, target: .to, key: key, reason: "new in from"),
                        hashAfter: f.hash, generation: 0))
            } else {
                item.notes.append(
                    .init(kind: .skip, target: .to, key: key, reason: skipReason(create: true, back: false)))
            }
            plan.items.append(item)
        }

        // (B) New items of `to` (two-way jobs write them back).
        guard job.twoWay, matchedTo < to.items.count else { return plan }
        for key in to.items.keys.filter({ !claimedTo.contains($0) && !bad.contains($0) }).sorted() {
            let t = index.seen(to.items[key]!, .to)
            if t.item.event.origin != nil || t.event.status == .cancelled { continue }  // ours, or not an appointment
            if !job.inGroups(t.event) { continue }  // a contact outside the job's groups does not come back
            if !to.inWindow(t.event, zone: job.timeZone) { continue }  // listed by a delta, outside the window
            let id = job.id(.from, sourceKey: key, generation: 0)
            if let fk = index.fromKey(origin: id), !claimedFrom.contains(fk), let fi = from.items[fk] {
                let f = index.seen(fi, .from)
                claimedFrom.insert(fk)
                plan.items.append(link(from: f, to: t, origin: .to, reason: "already on from (origin stamp)"))
                continue
            }
            if let fi = from.foundAway[id], !claimedFrom.contains(fi.key) {
                claimedFrom.insert(fi.key)
                plan.items.append(linkAway(from: index.seen(fi, .from), to: t, origin: .to, away: .from))
                continue
            }
            var next = ItemState(
                keyTo: key, hashTo: t.hash, versionTo: t.item.version, generation: 0, origin: .to,
                responseTo: job.responseSignal(t.event))
            next.setBase(t.event, zone: job.timeZone)
            var item = ItemPlan(next: next)
            if job.config.applyBack.create && job.fromCapabilities.contains(.write) {
                item.fromChanges.append(
                    PlannedChange(
                        change: .create(id: id, event: p.creating(t.event)),
                        action: .init(kind: .create, target: .from, key: key, reason: "new in to"),
                        hashAfter: t.hash, generation: 0))
                plan.items.append(item)
            }
        }
        return plan
    }

    /// As above, for states read with their bases.
    func plan(states: [ItemState], from: SideRead, to: SideRead) -> Plan {
        plan(states: states, from: from, to: to, withBase: { $0 })
    }

    /// Fast path for an item `from` read as stored while `to` was not read (a delta that did not
    /// list it): what `Linked` decides then (the `to` side taken to hold what it held), without
    /// decoding the base. False sends the item to `Linked`.
    private func unchangedUnreadOnTo(_ s: ItemState, _ fi: SourceItem, to: SideRead) -> Bool {
        guard let keyTo = s.keyTo, s.hasAnyHash(.from), s.hasAnyHash(.to), !s.toDeletedWhileAway,
            !to.isDeleted(keyTo, lastStart: s.start)
        else { return false }
        let view = job.fromView(fi.event)
        return s.hasHash(p.hash(view), .from) && job.excluded(fi.event) == nil
    }

    /// Links `f` and `t` found on both sides with no state: without a write when their content is
    /// the same, else with the merge of both (no base: the policy decides each differing field).
    /// `generation`: that of the create id `t` was made under, for an item made by us.
    func link(from f: Seen, to t: Seen, origin: ItemOrigin, reason: String, generation: Int = 0)
        -> ItemPlan
    {
        let state = ItemState(
            keyFrom: f.key, keyTo: t.key, hashFrom: nil, hashTo: nil, versionFrom: f.item.version,
            versionTo: t.item.version, generation: generation, origin: origin)
        let inputs = PlanInputs(job: job, from: SideRead(), to: SideRead())
        var item = Linked(inputs: inputs, state: state, fromSeen: f, toSeen: t)
            .plan(findOnTo: { _ in nil })
        item.notes.insert(.init(kind: .link, target: nil, key: origin == .to ? t.key : f.key, reason: reason), at: 0)
        item.stateChanged = true
        return item
    }

    /// Links `f` and `t` found with no state while the `away` one is out of the window
    /// (`UnlinkedProbe`), without a write: the link is kept, and once both are in the window
    /// they are merged as on a first link (no base: the policy decides each differing field).
    /// `hashTo` stays nil so that merge happens; `hashFrom` is set, so a deletion on `to` while
    /// `from` is away is recorded (`ItemState.toDeletedWhileAway`).
    func linkAway(from f: Seen, to t: Seen, origin: ItemOrigin, away: ConnectorContext.Side) -> ItemPlan {
        var state = ItemState(
            keyFrom: f.key, keyTo: t.key, hashFrom: f.hash, versionFrom: f.item.version, versionTo: t.item.version,
            origin: origin)
        state.away = [away]
        state.start = (away == .to ? f.event : t.event).start.date(in: job.timeZone)
        let key = origin == .from ? f.key : t.key
        let reason = "already on \(away.rawValue), out of the window (\(origin == .from ? "origin stamp" : "row key"))"
        let note = PlannedAction(kind: .link, target: nil, key: key, reason: reason)
        return ItemPlan(next: state, notes: [note], stateChanged: true)
    }

    func skipReason(create: Bool, back: Bool) -> String {
        let caps = back ? job.fromCapabilities : job.toCapabilities
        let setting = back ? "apply_back" : "apply"
        if !caps.contains(.write) { return "the \(back ? "from" : "to") side cannot be written" }
        return "\(setting).\(create ? "create" : "update") = false"
    }

    /// Reports the bad items of a read (unreadable, or end before start) and returns their keys.
    private func findBad(_ read: SideRead, side: ConnectorContext.Side, into plan: inout Plan) -> Set<String> {
        var bad = Set<String>()
        for problem in read.problems {
            plan.invalid.append(
                .init(
                    kind: .invalid, target: side, key: problem.key,
                    reason: (problem.field.map { "\($0): " } ?? "") + problem.reason))
            // A later duplicate is reported; the first item listed under its key is synced.
            if problem.duplicateOf == nil { bad.insert(problem.key) }
        }
        for (key, item) in read.items {
            if let why = job.problem(item.event) {
                plan.invalid.append(.init(kind: .invalid, target: side, key: key, reason: why))
                bad.insert(key)
            }
        }
        return bad
    }
}

/// Lookups over both reads, built on first use: most runs change few items and never need them.
final class ReadIndex {
    let job: SyncJob
    let from: SideRead
    let to: SideRead

    init(job: SyncJob, from: SideRead, to: SideRead) {
        self.job = job
        self.from = from
        self.to = to
    }

    /// An item in the job's view with its hash.
    func seen(_ item: SourceItem, _ side: ConnectorContext.Side) -> Seen {
        let event = side == .from ? job.fromView(item.event) : item.event
        return Seen(item: item, event: event, hash: job.projection.hash(event))
    }

    private lazy var toByOrigin: [String: String] = Self.byOrigin(to)
    private lazy var fromByOrigin: [String: String] = Self.byOrigin(from)

    /// The `to` item carrying the create id `id` (as origin stamp, or as its key).
    func toKey(origin id: String) -> String? { toByOrigin[id] ?? (to.items.contains(id) ? id : nil) }

    /// Generations of create ids a lost state is recovered from: a `to` item made for a `from`
    /// item is found under the ids of generations `0..<probedGenerations`.
    static let probedGenerations = 8

    /// The `to` item, not in `claimed`, that the `from` item `key` was created as (under any
    /// generation's id up to `probedGenerations`), with that generation.
    func toKey(made key: String, unclaimed claimed: Set<String>) -> (String, Int)? {
        for generation in 0..<Self.probedGenerations {
            if let tk = toKey(origin: job.id(.to, sourceKey: key, generation: generation)), !claimed.contains(tk) {
                return (tk, generation)
            }
        }
        return nil
    }

    /// Whether `key` is the write-back create id of a `to` item read now and not yet claimed.
    func isWriteBackID(_ key: String, unclaimed claimed: Set<String>) -> Bool {
        guard let toKey = writeBackIDs[key] else { return false }
        return !claimed.contains(toKey)
    }

    /// Write-back create ids (generation 0) of the `to` items read, to their keys.
    private lazy var writeBackIDs: [String: String] = {
        var out: [String: String] = [:]
        for key in to.items.keys { out[job.id(.from, sourceKey: key, generation: 0)] = key }
        return out
    }()

    /// The `from` item carrying the write-back create id `id`.
    func fromKey(origin id: String) -> String? { fromByOrigin[id] ?? (from.items.contains(id) ? id : nil) }

    private static func byOrigin(_ read: SideRead) -> [String: String] {
        var out: [String: String] = [:]
        for (key, item) in read.items { if let o = item.event.origin { out[o] = key } }
        return out
    }
}
