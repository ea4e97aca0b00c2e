import AlmanacCore
import Foundation

/// Applies a plan in batches (ARCHITECTURE.md §5 "checkpoint after durable writes"): per batch, the writes
/// toward `to`, then toward `from`, then one state transaction with the items whose every change
/// succeeded. An item with a failed change keeps its old state, so the next run plans it again;
/// a create retried that way lands on the item it made before (deterministic id, origin stamp).
/// A batch's transaction is written by a `StateCommitter` while the next batch's writes go out;
/// `apply` returns once every transaction is written.
struct Applier {
    let job: SyncJob
    let from: any Connector
    let to: any Connector
    let store: StateStore
    let fault: (FaultPoint) -> Void
    /// Held while `fault` runs: the commit thread calls it too.
    private let faultLock = NSLock()

    private(set) var toCounts = ActionCounts()
    private(set) var fromCounts = ActionCounts()
    private(set) var failures: [ItemFailure] = []
    /// Failures that mean a change read this run is not yet applied (the cursor must stay).
    private(set) var unapplied = 0
    /// Creates not sent because an earlier attempt may still land (`holdLateCreates`).
    private(set) var held = 0
    /// When the last of the `held` creates may be sent.
    private(set) var heldUntil: Date?
    /// When each create on record toward a side with `lateCreates` was sent.
    private var sentCreates: [String: Date] = [:]

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
        let windows = [from.lateCreates, to.lateCreates].compactMap { $0?.window }
        if let longest = windows.max() {
            sentCreates = try store.createsSent(
                job: job.config.name, forgettingBefore: Date().addingTimeInterval(-longest))
        }
        let committer = StateCommitter(store: store, job: job.config.name, fault: fault, faultLock: faultLock)
        defer { try? committer.finish() }
        var done = 0
        for (number, batch) in batches.enumerated() {
            try apply(batch: batch, number: number, committer: committer)
            done += batch.count
            progress(RunProgress(phase: "applying", done: done, total: plan.items.count))
        }
        try committer.finish()
    }

    /// Calls the fault hook (under `faultLock`).
    private func reach(_ point: FaultPoint) {
        faultLock.withLock { self.fault(point) }
    }

    private mutating func apply(batch: [ItemPlan], number: Int, committer: StateCommitter) throws {
        var items = batch
        var ok = [Bool](repeating: true, count: items.count)
        for item in items {
            for note in item.notes where note.kind == .skip {
                if note.target == .from { fromCounts.skipped += 1 } else { toCounts.skipped += 1 }
            }
            for c in item.toChanges + item.fromChanges where c.action.hasConflicts {
                if c.action.target == .from { fromCounts.conflicts += 1 } else { toCounts.conflicts += 1 }
            }
        }
        var answered: [String] = []
        for side in [ConnectorContext.Side.to, .from] {
            var pending: [Pending] = []
            for (i, item) in items.enumerated() where ok[i] {
                for c in side == .to ? item.toChanges : item.fromChanges { pending.append(Pending(item: i, change: c)) }
            }
            var round = 0
            let connector = side == .to ? to : from
            let late = connector.lateCreates
            while !pending.isEmpty {
                reach(.beforeWrite(side, batch: number))
                let outcomes: [WriteOutcome]
                do {
                    (pending, outcomes) = try write(pending, to: connector, late: late, side: side, ok: &ok)
                } catch {
                    for p in pending where ok[p.item] {
                        ok[p.item] = false
                        fail(p, side: side, reason: "\(error)")
                    }
                    break
                }
                reach(.afterWrite(side, batch: number))
                if late != nil { answered += Self.answeredCreates(pending, outcomes) }
                var next: [Pending] = []
                for (p, outcome) in zip(pending, outcomes) {
                    // A conflict is followed up in the same run (at most three rounds).
                    switch settle(p, outcome, side: side, items: &items, ok: &ok) {
                    case .settled:
                        break
                    case .again(let more) where round < 3:
                        next += more
                    case .again, .unresolved:
                        guard ok[p.item] else { break }
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
        guard !upserts.isEmpty || !removals.isEmpty || !answered.isEmpty else { return }
        try committer.submit(upserts: upserts, removals: removals, answeredCreates: answered, number: number)
    }

    /// Sends `pending` to `connector`; returns the changes sent (all but those `holdLateCreates`
    /// kept back, toward a side with `late` (its `lateCreates`), sent `perCall` at a time) with
    /// their outcomes.
    private mutating func write(
        _ pending: [Pending], to connector: any Connector, late: LateCreates?, side: ConnectorContext.Side,
        ok: inout [Bool]
    ) throws -> (sent: [Pending], outcomes: [WriteOutcome]) {
        let calls =
            late.map { late in
                stride(from: 0, to: pending.count, by: late.perCall).map {
                    Array(pending[$0..<min($0 + late.perCall, pending.count)])
                }
            } ?? [pending]
        var sent: [Pending] = []
        var outcomes: [WriteOutcome] = []
        for var call in calls {
            if let late {
                call = try holdLateCreates(call, side: side, window: late.window, ok: &ok)
                if call.isEmpty { continue }
            }
            let answer = try connector.write(call.map(\.change.change))
            guard answer.count == call.count else {
                throw AlmanacError(
                    .syncConnectorContract,
                    "the \(side.rawValue) connector returned \(answer.count) outcomes for \(call.count) changes")
            }
            sent += call
            outcomes += answer
        }
        return (sent, outcomes)
    }

    /// Toward a side whose creates cannot carry almanac's id (`Connector.lateCreates`): a
    /// create an earlier attempt sent within the window, and whose answer it did not see, is not
    /// sent (its item fails for this run; the run is retried, and finds what landed by its stamp
    /// or sends it once the window has passed); the others are recorded as sent, in one
    /// transaction, before they are. Returns the changes to send.
    private mutating func holdLateCreates(
        _ pending: [Pending], side: ConnectorContext.Side, window: TimeInterval, ok: inout [Bool]
    ) throws -> [Pending] {
        let now = Date()
        var send: [Pending] = []
        var sending: [String] = []
        for p in pending where ok[p.item] {
            guard case .create(let id, _) = p.change.change else {
                send.append(p)
                continue
            }
            if let sent = sentCreates[id], now.timeIntervalSince(sent) < window {
                ok[p.item] = false
                held += 1
                heldUntil = max(heldUntil ?? .distantPast, sent.addingTimeInterval(window))
                fail(
                    p, side: side,
                    reason:
                        "sent at \(UTCTimestamp.string(sent)) by an attempt that saw no answer, and it may still land: "
                        + "not sent again before \(UTCTimestamp.string(sent.addingTimeInterval(window))), so that it is not made "
                        + "twice")
                continue
            }
            send.append(p)
            sending.append(id)
        }
        try store.recordCreatesSent(job: job.config.name, ids: sending, at: now)
        for id in sending { sentCreates[id] = now }
        return send.filter { ok[$0.item] }
    }

    /// The ids of the creates among `pending` whose answer says what became of them: all but
    /// those failed for a passing reason (an answer lost, a 5xx: the create may yet land).
    private static func answeredCreates(_ pending: [Pending], _ outcomes: [WriteOutcome]) -> [String] {
        zip(pending, outcomes).compactMap { p, outcome in
            guard case .create(let id, _) = p.change.change else { return nil }
            if case .failed(retryable: true, _) = outcome { return nil }
            return id
        }
    }

    /// What became of one outcome.
    enum Settled {
        case settled
        /// Follow-up changes to send (a create whose id was taken, a write re-planned after a conflict).
        case again([Pending])
        /// A conflict that could not be followed up: the item fails and the next run merges it.
        case unresolved
    }

    /// Records an outcome in the item's next state and says what follows.
    private mutating func settle(
        _ p: Pending, _ outcome: WriteOutcome, side: ConnectorContext.Side,
        items: inout [ItemPlan], ok: inout [Bool]
    ) -> Settled {
        let kind = p.change.action.kind
        switch outcome {
        case .written(let key, let version):
            if kind == .create { items[p.item].next.setKey(key, side) }
            if kind == .create || kind == .update || p.change.adopting {
                items[p.item].next.setVersion(version, hash: p.change.hashAfter, side)
            }
            count(kind, side: side)
            return .settled
        case .gone:
            if kind == .delete {
                count(kind, side: side)
            } else {
                ok[p.item] = false
                if side == .to { toCounts.skipped += 1 } else { fromCounts.skipped += 1 }
            }
            return .settled
        case .conflict(let current):
            switch p.change.change {
            case .create(let id, let event):
                return settleTakenID(p, id: id, event: event, current: current, side: side, items: &items)
            case .update, .delete: return replan(p, current: current, side: side, items: &items)
            case .confirm, .cancel: return .unresolved
            }
        case .failed(let retryable, let reason):
            ok[p.item] = false
            fail(p, side: side, reason: reason, retryable: retryable)
            return .settled
        }
    }

    /// A create found its id taken. By a deleted item (ids stay reserved, as on Google): the next
    /// generation's id. By the item an earlier attempt made (an answer lost, a crash): adopted,
    /// updated if its content differs, and counted as created.
    private mutating func settleTakenID(
        _ p: Pending, id: String, event: Event, current: SourceItem?, side: ConnectorContext.Side,
        items: inout [ItemPlan]
    ) -> Settled {
        // Calendars keep a deleted event as a cancelled one; a database row is never that.
        guard let current, side == .from || current.event.status != .cancelled else {
            let gen = (p.change.generation ?? 0) + 1
            let sourceKey = side == .to ? items[p.item].next.keyFrom : items[p.item].next.keyTo
            guard let sourceKey else { return .unresolved }
            var q = p
            q.change.change = .create(id: job.id(side, sourceKey: sourceKey, generation: gen), event: event)
            q.change.generation = gen
            items[p.item].next.generation = gen
            return .again([q])
        }
        items[p.item].next.setKey(current.key, side)
        if job.projection.same(current.event, event) {
            items[p.item].next.setVersion(current.version, hash: p.change.hashAfter, side)
            count(.create, side: side)
            return .settled
        }
        var q = p
        var stamped = event
        stamped.origin = event.origin ?? id  // the update keeps the stamp the create gave
        q.change.change = .update(key: current.key, ifVersion: current.version, event: stamped)
        q.change.adopting = true
        return .again([q])
    }

    /// An update or delete met a newer version: the item is planned again against what the side
    /// holds now and the new changes are sent in this run. Toward `from`, only an item with no
    /// change toward `to` and a single change toward `from` is re-planned (what went to `to` was
    /// merged from the old read); others fail and the next run merges them.
    private mutating func replan(
        _ p: Pending, current: SourceItem?, side: ConnectorContext.Side, items: inout [ItemPlan]
    ) -> Settled {
        let old = items[p.item]
        guard let current, side == .to || (old.toChanges.isEmpty && old.fromChanges.count == 1),
            var again = Planner(job: job).replan(old, side: side, current: current)
        else { return .unresolved }
        if side == .from { again.toChanges = [] }
        items[p.item] = again
        let changes = side == .to ? again.toChanges : again.fromChanges
        if changes.isEmpty { return .settled }
        return .again(changes.map { Pending(item: p.item, change: $0) })
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
