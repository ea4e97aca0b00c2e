import AlmanacCore
import Foundation

/// Applies a plan in batches (DESIGN §5 "checkpoint after durable writes"): per batch, the writes
/// toward `to`, then toward `from`, then one state transaction with the items whose every change
/// succeeded. An item with a failed change keeps its old state, so the next run plans it again;
/// a create retried that way lands on the item it made before (deterministic id, origin stamp).
struct Applier {
    let job: SyncJob
    let from: any Connector
    let to: any Connector
    let store: StateStore
    let fault: (FaultPoint) -> Void

    private(set) var toCounts = ActionCounts()
    private(set) var fromCounts = ActionCounts()
    private(set) var failures: [ItemFailure] = []
    /// Failures that mean a change read this run is not yet applied (the cursor must stay).
    private(set) var unapplied = 0

    init(job: SyncJob, from: any Connector, to: any Connector, store: StateStore, fault: @escaping (FaultPoint) -> Void)
    {
        self.job = job
        self.from = from
        self.to = to
        self.store = store
        self.fault = fault
    }

    /// One change of one item in flight.
    struct Pending {
        var item: Int
        var change: PlannedChange
    }

    mutating func apply(_ plan: Plan, progress: (RunProgress) -> Void) throws {
        let batches = stride(from: 0, to: plan.items.count, by: job.batchSize).map {
            Array(plan.items[$0..<min($0 + job.batchSize, plan.items.count)])
        }
        var done = 0
        for (number, batch) in batches.enumerated() {
            try apply(batch: batch, number: number)
            done += batch.count
            progress(RunProgress(phase: "applying", done: done, total: plan.items.count))
        }
    }

    private mutating func apply(batch: [ItemPlan], number: Int) throws {
        var items = batch
        var ok = [Bool](repeating: true, count: items.count)
        for item in items {
            for note in item.notes where note.kind == .skip {
                if note.target == .from { fromCounts.skipped += 1 } else { toCounts.skipped += 1 }
            }
            for c in item.toChanges + item.fromChanges where !c.action.conflicts.isEmpty {
                if c.action.target == .from { fromCounts.conflicts += 1 } else { toCounts.conflicts += 1 }
            }
        }
        for side in [ConnectorContext.Side.to, .from] {
            var pending: [Pending] = []
            for (i, item) in items.enumerated() where ok[i] {
                for c in side == .to ? item.toChanges : item.fromChanges { pending.append(Pending(item: i, change: c)) }
            }
            var round = 0
            while !pending.isEmpty {
                let connector = side == .to ? to : from
                fault(.beforeWrite(side, batch: number))
                let outcomes: [WriteOutcome]
                do {
                    outcomes = try connector.write(pending.map(\.change.change))
                    guard outcomes.count == pending.count else {
                        throw AlmanacError(
                            "sync.connector_contract",
                            "the \(side.rawValue) connector returned \(outcomes.count) outcomes "
                                + "for \(pending.count) changes"
                        )
                    }
                } catch {
                    for p in pending where ok[p.item] {
                        ok[p.item] = false
                        fail(p, side: side, reason: "\(error)")
                    }
                    break
                }
                fault(.afterWrite(side, batch: number))
                var next: [Pending] = []
                for (p, outcome) in zip(pending, outcomes) {
                    // A create that found its id taken is followed up (at most three rounds).
                    if let retry = settle(p, outcome, side: side, items: &items, ok: &ok), round < 3 {
                        next.append(retry)
                    } else if ok[p.item], case .conflict = outcome {
                        ok[p.item] = false
                        fail(
                            p, side: side,
                            reason: "changed on the \(side.rawValue) side during the run; merged on the next run")
                    }
                }
                pending = next
                round += 1
            }
        }
        var upserts: [ItemState] = []
        var removals: [Int64] = []
        for (i, item) in items.enumerated() where ok[i] {
            if item.remove {
                if let id = item.previous?.id { removals.append(id) }
            } else if item.hasWrites || item.stateChanged {
                var s = item.next
                s.id = item.previous?.id
                if s.keyFrom == nil && s.keyTo == nil {
                    if let id = s.id { removals.append(id) }
                    continue
                }
                upserts.append(s)
            }
        }
        guard !upserts.isEmpty || !removals.isEmpty else { return }
        fault(.beforeCommit(batch: number))
        do {
            try store.commit(job: job.config.name, upserts: upserts, removals: removals)
        } catch {
            throw AlmanacError("state.write_failed", "cannot write the state file \(store.path): \(error)")
        }
        fault(.afterCommit(batch: number))
    }

    /// Records an outcome in the item's next state. Returns a follow-up change to send (a create
    /// that found its id taken), or nil.
    private mutating func settle(
        _ p: Pending, _ outcome: WriteOutcome, side: ConnectorContext.Side,
        items: inout [ItemPlan], ok: inout [Bool]
    ) -> Pending? {
        let kind = p.change.action.kind
        switch outcome {
        case .written(let key, let version):
            if side == .to {
                if kind == .create { items[p.item].next.keyTo = key }
                if kind == .create || kind == .update {
                    items[p.item].next.versionTo = version
                    items[p.item].next.hashTo = p.change.hashAfter
                }
            } else {
                if kind == .create { items[p.item].next.keyFrom = key }
                if kind == .create || kind == .update {
                    items[p.item].next.versionFrom = version
                    items[p.item].next.hashFrom = p.change.hashAfter
                }
            }
            count(kind, side: side)
            return nil
        case .gone:
            if kind == .delete {
                count(kind, side: side)
            } else {
                ok[p.item] = false
                if side == .to { toCounts.skipped += 1 } else { fromCounts.skipped += 1 }
            }
            return nil
        case .conflict(let current):
            guard case .create(let id, let event) = p.change.change else { return nil }
            if let current {
                // The id is taken by the item a previous attempt made: link it, updating if needed.
                if job.projection.same(current.event, event) {
                    if side == .to {
                        items[p.item].next.keyTo = current.key
                        items[p.item].next.versionTo = current.version
                        items[p.item].next.hashTo = p.change.hashAfter
                    } else {
                        items[p.item].next.keyFrom = current.key
                        items[p.item].next.versionFrom = current.version
                        items[p.item].next.hashFrom = p.change.hashAfter
                    }
                    return nil
                }
                var change = p.change
                var stamped = event
                stamped.origin = event.origin ?? id  // the update keeps the stamp the create gave
                change.change = .update(key: current.key, ifVersion: current.version, event: stamped)
                change.action.kind = .update
                var q = p
                q.change = change
                // An update settles like a create: record the key it landed on.
                if side == .to {
                    items[p.item].next.keyTo = current.key
                } else {
                    items[p.item].next.keyFrom = current.key
                }
                return q
            }
            // Deleted ids stay reserved (Google 409): the next generation gets a fresh id.
            let gen = (p.change.generation ?? 0) + 1
            let sourceKey = side == .to ? items[p.item].next.keyFrom : items[p.item].next.keyTo
            guard let sourceKey else { return nil }
            var change = p.change
            change.change = .create(id: job.id(side, sourceKey: sourceKey, generation: gen), event: event)
            change.generation = gen
            items[p.item].next.generation = gen
            var q = p
            q.change = change
            return q
        case .failed(let retryable, let reason):
            ok[p.item] = false
            fail(p, side: side, reason: reason, retryable: retryable)
            return nil
        }
    }

    private mutating func fail(_ p: Pending, side: ConnectorContext.Side, reason: String, retryable: Bool = true) {
        failures.append(
            ItemFailure(
                key: p.change.action.key, side: side.rawValue,
                reason: "\(p.change.action.kind.rawValue): \(reason)"))
        if side == .to { toCounts.failed += 1 } else { fromCounts.failed += 1 }
        unapplied += 1
    }

    private mutating func count(_ kind: ActionKind, side: ConnectorContext.Side) {
        func bump(_ c: inout ActionCounts) {
            switch kind {
            case .create: c.created += 1
            case .update: c.updated += 1
            case .delete: c.deleted += 1
            case .confirm: c.confirmed += 1
            case .cancel: c.cancelled += 1
            default: break
            }
        }
        if side == .to { bump(&toCounts) } else { bump(&fromCounts) }
    }
}
