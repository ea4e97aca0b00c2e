import AlmanacCore
import Foundation

/// What every item's planning reads, shared by reference (one retain per item, not one per field).
final class PlanInputs: Sendable {
    let job: SyncJob
    let from: SideRead
    let to: SideRead

    init(job: SyncJob, from: SideRead, to: SideRead) {
        self.job = job
        self.from = from
        self.to = to
    }
}

/// Planning for one item the state knows (phase A of `Planner`), and for items linked on first
/// sync. Each side is one of: seen (read now), gone (tombstone, or absent from a chunk that was
/// listed completely and covers its last start) or unknown (not read: outside the window, or
/// unchanged in a delta) — an unknown side is taken to still hold what it held when last seen
/// (its base, or the value it refused to take: `ItemState.held`).
struct Linked {
    let inputs: PlanInputs
    let state: ItemState
    let fromSeen: Seen?
    let toSeen: Seen?

    var job: SyncJob { inputs.job }
    var from: SideRead { inputs.from }
    var to: SideRead { inputs.to }

    var p: ContentProjection { job.projection }
    var config: JobConfig { job.config }

    var fromGone: Bool {
        guard let k = state.keyFrom else { return true }
        return fromSeen == nil && from.isDeleted(k, lastStart: state.start)
    }

    var toGone: Bool {
        guard let k = state.keyTo else { return true }
        return toSeen == nil && (state.toDeletedWhileAway || to.isDeleted(k, lastStart: state.start))
    }

    /// `findOnTo(id)`: an unlinked `to` item carrying the create id `id`, if one was read.
    func plan(findOnTo: (String) -> Seen?) -> ItemPlan {
        var item = ItemPlan(next: state)
        item.fromSeen = fromSeen
        item.toSeen = toSeen
        item.fromGone = fromGone
        item.toGone = toGone
        let sourceKey = state.keyFrom ?? state.keyTo ?? "?"

        if fromGone {
            if state.keyFrom == nil && state.keyTo == nil {
                item.remove = true
                return item
            }
            if !toGone, let keyTo = state.keyTo, state.keyFrom != nil {
                if config.apply.delete && job.toCapabilities.contains(.delete) {
                    item.toChanges.append(
                        PlannedChange(
                            change: .delete(key: keyTo, ifVersion: toSeen?.item.version ?? state.versionTo),
                            action: .init(kind: .delete, target: .to, key: sourceKey, reason: "deleted in from")))
                    item.remove = true
                } else {
                    item.notes.append(
                        .init(
                            kind: .skip, target: .to, key: sourceKey,
                            reason: "deleted in from; apply.delete = false"))
                    item.next.keyFrom = nil
                    item.next.hashFrom = nil
                    item.stateChanged = true
                }
            } else if state.keyFrom != nil || toGone {
                item.notes.append(.init(kind: .forget, target: nil, key: sourceKey, reason: "gone from both sides"))
                item.remove = true
            }
            return item
        }

        // The from side holds the item (seen now, or unknown and taken as its base).
        guard let f = fromSeen ?? baseAsSeen(.from) else { return item }

        if let why = job.excluded(f.item.event) {
            // Filtered out (`include`/`exclude`): removed from `to` only when this job made it there.
            let filtered = job.filteredOut(f.item.event) == why
            if state.keyTo != nil && !toGone && filtered && !madeOnTo {
                let reason = "\(why); left in to: not created by this job"
                item.notes.append(.init(kind: .skip, target: .to, key: sourceKey, reason: reason))
                return item
            }
            if state.keyTo != nil && !toGone {
                if config.apply.delete && job.toCapabilities.contains(.delete) {
                    item.toChanges.append(
                        PlannedChange(
                            change: .delete(key: state.keyTo!, ifVersion: toSeen?.item.version ?? state.versionTo),
                            action: .init(kind: .delete, target: .to, key: sourceKey, reason: why)))
                    item.next.keyTo = nil
                    item.next.hashTo = nil
                    item.next.versionTo = nil
                    item.next.generation += 1
                    // A filtered-out item is made again once it matches, even when the fields the
                    // filter reads are not in its hash (stripped by `privacy`).
                    item.next.hashFrom = filtered ? nil : f.hash
                    item.stateChanged = true
                } else {
                    item.notes.append(
                        .init(kind: .skip, target: .to, key: sourceKey, reason: "\(why); apply.delete = false"))
                }
            }
            return item
        }

        if let left = leftGroupsOnTo(f, item: item, sourceKey: sourceKey) { return left }
        if state.keyTo == nil {
            return planMissingOnTo(f, item: item, sourceKey: sourceKey, findOnTo: findOnTo)
        }
        if toGone {
            return planDeletedOnTo(f, item: item, sourceKey: sourceKey)
        }
        guard let t = toSeen ?? baseAsSeen(.to) else { return item }
        return planBoth(f, t, item: item, sourceKey: sourceKey)
    }

    /// The origin stamp of the item on `side`: as read, else the create id almanac gave it when it
    /// created that item, or the one a first link gives the `to` item (`ItemOrigin.stamps`).
    func stamp(_ side: ConnectorContext.Side) -> String? {
        if let read = (side == .to ? toSeen : fromSeen)?.item.event.origin { return read }
        let other: ConnectorContext.Side = side == .to ? .from : .to
        guard state.origin.stamps(side), let sourceKey = state.key(other) else { return nil }
        return job.id(side, sourceKey: sourceKey, generation: state.generation)
    }

    /// Whether this job created the `to` item: not a first link's, and it carries this item's create
    /// id, or (not read, or a side that keeps no stamp) the state says it was first read on `from`.
    private var madeOnTo: Bool {
        guard state.origin != .found else { return false }
        if let stamp = toSeen?.item.event.origin, let keyFrom = state.keyFrom {
            return stamp == job.id(.to, sourceKey: keyFrom, generation: state.generation)
        }
        return state.origin.made(.to)
    }

    /// A side not read this run, taken to still hold what it held when last seen: the base, or
    /// its own value where it did not take the merge (`ItemState.held`).
    /// On `from`, the item as stored is that content without the fields the job derived.
    private func baseAsSeen(_ side: ConnectorContext.Side) -> Seen? {
        guard let base = state.held(side), let key = state.key(side) else { return nil }
        let hash = (side == .from ? state.hashFrom : state.hashTo) ?? p.hash(base)
        var stored = base
        if side == .from { SyncJob.clear(state.derived, of: &stored) }
        return Seen(
            item: SourceItem(
                key: key, version: side == .from ? state.versionFrom : state.versionTo,
                event: stored), event: base, hash: hash)
    }

    /// Known on `from`, not (or no longer) on `to`: create it there, or link what a crash left.
    private func planMissingOnTo(_ f: Seen, item: ItemPlan, sourceKey: String, findOnTo: (String) -> Seen?) -> ItemPlan
    {
        var item = item
        let id = job.id(.to, sourceKey: f.key, generation: state.generation)
        if let t = findOnTo(id) {
            var linked = planBoth(f, t, item: item, sourceKey: sourceKey, firstLink: true)
            linked.next.keyTo = t.key
            linked.notes.insert(
                .init(kind: .link, target: nil, key: sourceKey, reason: "already on to (origin stamp)"), at: 0)
            linked.stateChanged = true
            return linked
        }
        if job.twoWay && state.hashFrom == f.hash {
            return item  // deleted on `to` earlier; waits for a change in `from`
        }
        item.next.hashFrom = f.hash
        item.next.versionFrom = f.item.version
        item.next.responseTo = job.responseSignal(f.event)
        item.next.setBase(f.event, zone: job.timeZone)
        item.next.derived = job.derived(f.item.event)
        if config.apply.create && job.toCapabilities.contains(.write) {
            item.toChanges.append(
                PlannedChange(
                    change: .create(id: id, event: p.creating(f.event)),
                    action: .init(
                        kind: .create, target: .to, key: sourceKey,
                        reason: state.generation > 0
                            ? "re-created in to (generation \(state.generation))" : "new in from"),
                    hashAfter: f.hash, generation: state.generation))
        } else {
            item.notes.append(.init(kind: .skip, target: .to, key: sourceKey, reason: "apply.create = false"))
        }
        return item
    }

    /// Linked, but deleted on the `to` side (ARCHITECTURE.md §5: a cancellation for write-back).
    private func planDeletedOnTo(_ f: Seen, item: ItemPlan, sourceKey: String) -> ItemPlan {
        var item = item
        item.stateChanged = true
        item.next.keyTo = nil
        item.next.hashTo = nil
        item.next.versionTo = nil
        item.next.generation += 1
        item.next.hashFrom = f.hash
        if !job.twoWay {
            guard config.apply.create && job.toCapabilities.contains(.write) else {
                item.notes.append(
                    .init(kind: .skip, target: .to, key: sourceKey, reason: "deleted in to; apply.create = false"))
                return item
            }
            let gen = item.next.generation
            item.toChanges.append(
                PlannedChange(
                    change: .create(id: job.id(.to, sourceKey: f.key, generation: gen), event: p.creating(f.event)),
                    action: .init(
                        kind: .create, target: .to, key: sourceKey, reason: "deleted in to; one-way job re-creates it"),
                    hashAfter: f.hash, generation: gen))
            item.next.setBase(f.event, zone: job.timeZone)
            item.next.derived = job.derived(f.item.event)
            return item
        }
        let keyFrom = state.keyFrom!
        if job.writesBackResponses && state.writeBack != "cancelled" {
            item.fromChanges.append(
                PlannedChange(
                    change: .cancel(key: keyFrom, event: f.event),
                    action: .init(kind: .cancel, target: .from, key: sourceKey, reason: "deleted in to")))
            item.next.writeBack = "cancelled"
        }
        if config.applyBack.delete && job.fromCapabilities.contains(.delete) {
            item.fromChanges.append(
                PlannedChange(
                    change: .delete(key: keyFrom, ifVersion: f.item.version),
                    action: .init(kind: .delete, target: .from, key: sourceKey, reason: "deleted in to")))
            item.remove = true
        }
        return item
    }

    /// Both sides hold the item: compare each with the base and merge field by field.
    private func planBoth(_ f: Seen, _ t: Seen, item: ItemPlan, sourceKey: String, firstLink: Bool = false) -> ItemPlan
    {
        var item = item
        let fromChanged = firstLink || f.hash != state.hashFrom
        // A response given on `to` is a change there even when the projection has no responses.
        let responseTo = toSeen != nil ? job.responseSignal(t.event) : state.responseTo
        let toChanged = firstLink || t.hash != state.hashTo || responseTo != state.responseTo
        if !fromChanged && !toChanged { return refreshing(recordingVersions(item), f, t, sourceKey: sourceKey) }
        let base = firstLink ? nil : state.base
        let merge = FieldMerge(
            base: base, from: f.event, to: t.event, projection: p, policy: config.conflict,
            owned: job.owned, twoWay: job.twoWay)
        // Every write carries the stamp its side holds: a side that replaces the whole item on
        // update (Google's PUT) would otherwise drop it, and first-link and crash recovery need it.
        var toNew = job.keepingGroups(merge.toSide(from: f.event, to: t.event), of: f.event)
        toNew.origin = stamp(.to)
        let fromNew = job.keepingGroups(merge.fromSide(from: f.event, to: t.event), of: f.event)
        let toDiff = !p.same(toNew, t.event)
        let fromDiff = job.twoWay && !p.same(fromNew, f.event)
        // Sent to `from`: the row as stored with the changed fields only (derived ones stay derived).
        var fromWrite = job.keepingGroups(
            merge.fromWrite(raw: f.item.event, view: f.event, to: t.event, projection: p), of: f.event)
        fromWrite.origin = stamp(.from)
        var wroteTo = !toDiff
        var wroteFrom = !fromDiff
        let toHash = toDiff ? p.hash(toNew) : t.hash
        var fromHash = fromDiff ? p.hash(job.fromView(fromWrite)) : f.hash
        if toDiff {
            if config.apply.update && job.toCapabilities.contains(.write) {
                let reason =
                    firstLink
                    ? "linked; content differs" : fromChanged ? "changed in from" : "restores from's content (one-way)"
                item.toChanges.append(
                    PlannedChange(
                        change: .update(key: t.key, ifVersion: t.item.version, event: toNew),
                        action: .init(
                            kind: .update, target: .to, key: sourceKey, reason: reason, conflicts: merge.conflicts,
                            contactConflicts: merge.contactConflicts),
                        hashAfter: toHash))
                wroteTo = true
            } else {
                item.notes.append(.init(kind: .skip, target: .to, key: sourceKey, reason: "apply.update = false"))
            }
        }
        if fromDiff {
            if config.applyBack.update && job.fromCapabilities.contains(.write) {
                item.fromChanges.append(
                    PlannedChange(
                        change: .update(key: f.key, ifVersion: f.item.version, event: fromWrite),
                        action: .init(
                            kind: .update, target: .from, key: sourceKey, reason: "changed in to",
                            conflicts: toDiff ? [] : merge.conflicts,
                            contactConflicts: toDiff ? [] : merge.contactConflicts),
                        hashAfter: fromHash))
                wroteFrom = true
            } else {
                fromHash = f.hash
                item.notes.append(
                    .init(
                        kind: .skip, target: .from, key: sourceKey, reason: "changed in to; apply_back.update = false"))
            }
        }
        if job.twoWay, toChanged, toSeen != nil, job.writesBackResponses {
            appendWriteBack(t.event, base: base, from: f, firstLink: base == nil, item: &item, sourceKey: sourceKey)
        }
        // The new base: the merge, except where a side could not take it (it keeps its value, so
        // the next run does not mistake the old value for a fresh edit).
        var newBase = toNew
        newBase.origin = nil  // a stamp belongs to one side's item, not to the shared base
        if !wroteFrom { p.keep(f.event, in: &newBase, over: toNew) }
        if !wroteTo { p.keep(t.event, in: &newBase, over: toNew) }
        item.next.keyFrom = f.key
        item.next.keyTo = t.key
        item.next.hashFrom = fromHash
        item.next.hashTo = toHash
        item.next.versionFrom = f.item.version
        item.next.versionTo = t.item.version
        item.next.responseTo = responseTo
        item.next.setBase(newBase, zone: job.timeZone)
        // What each side holds now, where it differs from the base: the value it refused.
        let fromHolds = fromDiff && wroteFrom ? job.fromView(fromWrite) : f.event
        let toHolds = toDiff && wroteTo ? toNew : t.event
        // A contact's parts the other side cannot hold are no part of the projection: compared whole.
        let differs = { (e: Event) in !p.same(e, newBase) || (job.contacts && e.contact != newBase.contact) }
        item.next.setHeld(fromHolds, .from, differsFromBase: differs(fromHolds))
        item.next.setHeld(toHolds, .to, differsFromBase: differs(toHolds))
        item.next.derived = job.derived(wroteFrom && fromDiff ? fromWrite : f.item.event)
        item.merged = toNew
        item.stateChanged = true
        return item
    }

    /// `item` with the versions of the sides read now, when they moved without a content change.
    private func recordingVersions(_ item: ItemPlan) -> ItemPlan {
        var item = item
        if let f = fromSeen, f.item.version != state.versionFrom { item.next.versionFrom = f.item.version }
        if let t = toSeen, t.item.version != state.versionTo { item.next.versionTo = t.item.version }
        if job.contacts {
            item.next = Planner.holding(
                item.next, from: fromSeen.flatMap { $0.item.version != state.versionFrom ? $0.event : nil },
                to: toSeen.flatMap { $0.item.version != state.versionTo ? $0.event : nil })
        }
        if item.next != state {
            item.stateChanged = true
            item.versionsOnly = true
        }
        return item
    }

    /// First participant's response became accepted → confirm; declined, or the event cancelled
    /// → cancel. Sent once per change (the state remembers the last one).
    ///
    /// On a first link (no state: lost, or a crash before the commit) the engine cannot know what
    /// was sent before. The row decides where it can: one whose first participant already shows
    /// the answer (accepted; declined, or the row cancelled) has it. Otherwise the statement runs
    /// only when the `from` side reads responses (the row would show it) or declares its
    /// write-backs idempotent; else it is skipped, so a statement that is not idempotent never
    /// runs twice.
    private func appendWriteBack(
        _ t: Event, base: Event?, from f: Seen, firstLink: Bool, item: inout ItemPlan, sourceKey: String
    ) {
        let response = t.participants.first?.response
        let before = state.responseTo.flatMap(ResponseStatus.init(rawValue:)) ?? base?.participants.first?.response
        var kind: ActionKind?
        var reason = ""
        if t.status == .cancelled && state.writeBack != "cancelled" {
            kind = .cancel
            reason = "cancelled in to"
        } else if response == .declined && before != .declined && state.writeBack != "cancelled" {
            kind = .cancel
            reason = "declined in to"
        } else if response == .accepted && before != .accepted && state.writeBack != "confirmed" {
            kind = .confirm
            reason = "accepted in to"
        }
        guard let kind else { return }
        if firstLink {
            let row = f.event.participants.first?.response
            let shown = kind == .confirm ? row == .accepted : (row == .declined || f.event.status == .cancelled)
            let readsResponses = p.fields.contains(.responses)
            if shown || !(readsResponses || job.fromCapabilities.contains(.idempotentWriteBack)) {
                item.next.writeBack = kind == .confirm ? "confirmed" : "cancelled"
                if !shown {
                    item.notes.append(
                        .init(
                            kind: .skip, target: .from, key: sourceKey,
                            reason: "\(reason); not written back on a first link: the row does not show it "
                                + "and the write-back is not declared idempotent"))
                }
                return
            }
        }
        let fromKey = f.key
        let change: Change = kind == .confirm ? .confirm(key: fromKey, event: t) : .cancel(key: fromKey, event: t)
        item.fromChanges.append(
            PlannedChange(
                change: change,
                action: .init(kind: kind, target: .from, key: sourceKey, reason: reason)))
        item.next.writeBack = kind == .confirm ? "confirmed" : "cancelled"
    }
}
