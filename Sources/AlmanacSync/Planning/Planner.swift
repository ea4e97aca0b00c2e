import AlmanacCore
import Foundation

/// An item as read, in the job's view, with its content hash.
struct Seen: Sendable {
    var item: SourceItem
    /// The event as the job sees it (`from`: title template applied).
    var event: Event
    var hash: String
    var key: String { item.key }
}

/// Decides, for every item of a job, what to create, update, delete, write back or link
/// (DESIGN §5). Each side is compared with the state (the last synced base), never side with side.
///
/// Phases: (A) items the state knows; (C) new `from` items, linked by origin stamp when already
/// on `to`, created otherwise; (B) new `to` items of two-way jobs, written back as creates.
/// The planner does no I/O; the plan is applied by `Applier` (or printed by `--dry-run`).
struct Planner {
    let job: SyncJob

    var p: ContentProjection { job.projection }

    func plan(states: [ItemState], from: SideRead, to: SideRead) -> Plan {
        var plan = Plan()
        let fromSeen = see(from, side: .from, into: &plan)
        let toSeen = see(to, side: .to, into: &plan)
        var claimedFrom = Set<String>()
        var claimedTo = Set<String>()
        var toByOrigin: [String: String] = [:]
        for (key, s) in toSeen { if let o = s.item.event.origin { toByOrigin[o] = key } }
        var fromByOrigin: [String: String] = [:]
        for (key, s) in fromSeen { if let o = s.item.event.origin { fromByOrigin[o] = key } }
        for s in states {
            if let k = s.keyFrom { claimedFrom.insert(k) }
            if let k = s.keyTo { claimedTo.insert(k) }
        }
        let bad = Set(plan.invalid.map(\.key))

        // (A) Items the state knows.
        for s in states {
            if let k = s.keyFrom, bad.contains(k) { continue }
            if let k = s.keyTo, bad.contains(k) { continue }
            let ctx = Linked(job: job, state: s, from: from, to: to,
                             fromSeen: s.keyFrom.flatMap { fromSeen[$0] }, toSeen: s.keyTo.flatMap { toSeen[$0] })
            var item = ctx.plan(findOnTo: { id in
                let key = toByOrigin[id] ?? (toSeen[id] != nil ? id : nil)
                guard let key, !claimedTo.contains(key) else { return nil }
                return toSeen[key]
            })
            if let claimed = item.next.keyTo, item.previous?.keyTo != claimed { claimedTo.insert(claimed) }
            if item.hasWrites || item.stateChanged || item.remove || !item.notes.isEmpty {
                item.previous = s
                plan.items.append(item)
            } else {
                plan.unchanged += 1
            }
        }

        // (C) New items of `from`.
        for key in fromSeen.keys.sorted() where !claimedFrom.contains(key) && !bad.contains(key) {
            let f = fromSeen[key]!
            if f.item.event.origin != nil { continue }  // written back by us; linked in (B)
            if let why = job.excluded(f.event) {
                plan.items.append(ItemPlan(next: ItemState(),
                                           notes: [.init(kind: .skip, target: .to, key: key, reason: why)]))
                continue
            }
            let id = job.id(.to, sourceKey: key, generation: 0)
            if let tk = toByOrigin[id] ?? (toSeen[id] != nil ? id : nil), !claimedTo.contains(tk), let t = toSeen[tk] {
                claimedTo.insert(tk)
                plan.items.append(link(from: f, to: t, origin: .from, reason: "already on to (origin stamp)"))
                continue
            }
            var next = ItemState(keyFrom: key, hashFrom: f.hash, versionFrom: f.item.version, generation: 0, origin: .from)
            next.setBase(f.event, zone: job.timeZone)
            var item = ItemPlan(next: next)
            if job.config.apply.create && job.toCapabilities.contains(.write) {
                item.toChanges.append(PlannedChange(
                    change: .create(id: id, event: f.event),
                    action: .init(kind: .create, target: .to, key: key, reason: "new in from"),
                    hashAfter: f.hash, generation: 0))
            } else {
                item.notes.append(.init(kind: .skip, target: .to, key: key, reason: skipReason(create: true, back: false)))
            }
            plan.items.append(item)
        }

        // (B) New items of `to` (two-way jobs write them back).
        guard job.twoWay else { return plan }
        for key in toSeen.keys.sorted() where !claimedTo.contains(key) && !bad.contains(key) {
            let t = toSeen[key]!
            if t.item.event.origin != nil || t.event.status == .cancelled { continue }  // ours, or not an appointment
            let id = job.id(.from, sourceKey: key, generation: 0)
            if let fk = fromByOrigin[id], !claimedFrom.contains(fk), let f = fromSeen[fk] {
                claimedFrom.insert(fk)
                plan.items.append(link(from: f, to: t, origin: .to, reason: "already on from (origin stamp)"))
                continue
            }
            var next = ItemState(keyTo: key, hashTo: t.hash, versionTo: t.item.version, generation: 0, origin: .to)
            next.setBase(t.event, zone: job.timeZone)
            var item = ItemPlan(next: next)
            if job.config.applyBack.create && job.fromCapabilities.contains(.write) {
                item.fromChanges.append(PlannedChange(
                    change: .create(id: id, event: t.event),
                    action: .init(kind: .create, target: .from, key: key, reason: "new in to"),
                    hashAfter: t.hash, generation: 0))
                plan.items.append(item)
            }
        }
        return plan
    }

    /// Links `f` and `t` found on both sides with no state: without a write when their content is
    /// the same, else with the merge of both (no base: the policy decides each differing field).
    func link(from f: Seen, to t: Seen, origin: ConnectorContext.Side, reason: String) -> ItemPlan {
        let state = ItemState(keyFrom: f.key, keyTo: t.key, hashFrom: nil, hashTo: nil, versionFrom: f.item.version,
                              versionTo: t.item.version, origin: origin)
        var item = Linked(job: job, state: state, from: SideRead(), to: SideRead(), fromSeen: f, toSeen: t)
            .plan(findOnTo: { _ in nil })
        item.notes.insert(.init(kind: .link, target: nil, key: origin == .from ? f.key : t.key, reason: reason), at: 0)
        item.stateChanged = true
        return item
    }

    func skipReason(create: Bool, back: Bool) -> String {
        let caps = back ? job.fromCapabilities : job.toCapabilities
        let setting = back ? "apply_back" : "apply"
        if !caps.contains(.write) { return "the \(back ? "from" : "to") side cannot be written" }
        return "\(setting).\(create ? "create" : "update") = false"
    }

    /// Hashes every item of a read (the `from` side in the job's view) and reports bad items.
    private func see(_ read: SideRead, side: ConnectorContext.Side, into plan: inout Plan) -> [String: Seen] {
        for problem in read.problems {
            plan.invalid.append(.init(kind: .invalid, target: side, key: problem.key,
                                      reason: (problem.field.map { "\($0): " } ?? "") + problem.reason))
        }
        var out: [String: Seen] = [:]
        out.reserveCapacity(read.items.count)
        for (key, item) in read.items {
            if let why = job.problem(item.event) {
                plan.invalid.append(.init(kind: .invalid, target: side, key: key, reason: why))
                continue
            }
            let event = side == .from ? job.fromView(item.event) : item.event
            out[key] = Seen(item: item, event: event, hash: p.hash(event))
        }
        plan.invalid.sort { $0.key < $1.key }
        return out
    }
}
