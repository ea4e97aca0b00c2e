import AlmanacCore
import Foundation

/// The result of a run: its report and the actions planned (what `--dry-run` prints).
public struct SyncOutcome: Sendable {
    public var report: RunReport
    public var actions: [PlannedAction]
}

/// Runs one job once: read both sides, plan against the state, guard, apply, checkpoint.
///
/// Guarantees (ARCHITECTURE.md §5): cursors advance only after every write they cover and its state
/// transaction committed, and only when nothing read is left unapplied; per-item state commits
/// per batch; one bad item is reported and the rest applies; a dry run writes nothing (no
/// connector writes, no state, no run history).
public final class SyncEngine {
    public let job: SyncJob
    public let from: any Connector
    public let to: any Connector
    public let store: StateStore
    /// Called at every `FaultPoint` (crash tests exit the process there).
    public var faultHook: (FaultPoint) -> Void = { _ in }
    /// The side whose read failed in the current run (`RunReport.failedSide`).
    private var failedSide: ConnectorContext.Side?

    public init(job: SyncJob, from: any Connector, to: any Connector, store: StateStore) {
        self.job = job
        self.from = from
        self.to = to
        self.store = store
    }

    /// Runs the job. Job-level failures (a connector that cannot be read, the mass-delete guard, a
    /// state file that cannot be written) become a `failed`/`blocked` report, never a throw.
    public func run(
        options: RunOptions, now: Date = Date(), runID: String = RunReport.newRunID(),
        progress: (RunProgress) -> Void = { _ in }
    ) -> SyncOutcome {
        var report = RunReport(
            runID: runID, profile: job.profile, job: job.config.name, trigger: options.trigger,
            dryRun: options.dryRun, started: now, finished: now, result: .success)
        var actions: [PlannedAction] = []
        failedSide = nil
        do {
            actions = try execute(options: options, now: now, report: &report, progress: progress)
        } catch let error as AlmanacError {
            report.result = error.code == .syncMassDeleteBlocked ? .blocked : .failed
            report.errorCode = error.code.rawValue
            report.error = error.message
            report.retryable = error.retryable ? true : nil
            if !error.causeChain.isEmpty { report.cause = error.causeChain }
            report.failedSide = failedSide?.rawValue
        } catch {
            report.result = .failed
            report.errorCode = ErrorCode.syncFailed.rawValue
            report.error = "\(error)"
        }
        let conflicts = options.dryRun ? nil : conflictsAfter(&report)
        report.finished = Date()
        if !options.dryRun { try? store.record(report, conflicts: conflicts) }
        return SyncOutcome(report: report, actions: actions)
    }

    private func execute(
        options: RunOptions, now: Date, report: inout RunReport,
        progress: (RunProgress) -> Void
    ) throws -> [PlannedAction] {
        var options = options
        let name = job.config.name
        let window = job.window(around: now)
        var timings = RunTimings()
        // The state loads on a thread of its own while the connectors read: the reads need it only
        // to compare `from` items with it (`UnchangedFilter`). Its error still comes first, and a
        // `from` side's before a `to` side's.
        let store = self.store
        let stateLoad = Background { try store.items(job: name, withBases: false) }
        progress(RunProgress(phase: "reading"))
        // A full listing returns about the items the state knows: room for them and a few more.
        let known = (try? store.itemCountEstimate(job: name)) ?? 0
        let expected = known + known / 8
        // A first link (no state yet, `--relink`, or one not finished: `StateStore+FirstLink`)
        // matches unlinked items of both sides before creating any, on whole listings.
        let linkOpen = try store.firstLinkOpen(job: name)
        let linking = options.relink || known == 0 || linkOpen
        if linking { options.full = true }
        // An empty cursor: `from` was listed in full for the job's privacy or filters
        // (`SyncJob.readsFromInFull`), so a run after they are removed lists it in full too.
        let fromCursor = Result {
            options.full || job.readsFromInFull
                ? nil : try store.cursor(job: name, side: .from).flatMap { $0.isEmpty ? nil : $0 }
        }
        let toCursor = Result { options.full ? nil : try store.cursor(job: name, side: .to) }
        let toReader = reader(to, window: window, expectedItems: expected)
        let toIsDelta = (try? toCursor.get()).map {
            toReader.readsDelta(cursor: $0, since: options.since, full: options.full)
        }
        let fromResult: Result<SideRead, any Error>
        let toResult: Result<SideRead, any Error>
        if toIsDelta == true {
            // The delta of `to` first: then the `from` items it does not concern and the state has
            // as they are read are held as unchanged, not whole (`UnchangedFilter`).
            toResult = Result { try read(toReader, side: .to, cursor: toCursor.get(), options: options, progress) }
            if let toRead = try? toResult.get() {
                timings.mark("read to", "\(toRead.items.count) items, \(toRead.pages) pages")
            }
            var fromReader = reader(from, window: window, expectedItems: expected)
            let filter = (try? toResult.get()).map {
                UnchangedFilter(job: job, window: window, to: $0, states: { try stateLoad.join() })
            }
            if let filter {
                fromReader.unchanged = { filter.reduce($0, fingerprint: $1) }
                fromReader.unchangedRow = { filter.reduce(key: $0, fingerprint: $1) }
            }
            fromResult = Result {
                try read(fromReader, side: .from, cursor: fromCursor.get(), options: options, progress)
            }
            if let fromRead = try? fromResult.get() {
                timings.mark(
                    "read from",
                    "\(fromRead.items.count) items (\(fromRead.items.unchangedCount) unchanged), \(fromRead.pages) pages"
                )
            }
        } else {
            let fromReader = reader(from, window: window, expectedItems: expected)
            fromResult = Result {
                try read(fromReader, side: .from, cursor: fromCursor.get(), options: options, progress)
            }
            if let fromRead = try? fromResult.get() {
                timings.mark("read from", "\(fromRead.items.count) items, \(fromRead.pages) pages")
            }
            // As before: `to` is not read when `from` could not be.
            toResult = fromResult.flatMap { _ in
                Result { try read(toReader, side: .to, cursor: toCursor.get(), options: options, progress) }
            }
            if let toRead = try? toResult.get() {
                timings.mark("read to", "\(toRead.items.count) items, \(toRead.pages) pages")
            }
        }
        let states = try stateLoad.join()
        timings.mark("state load", "\(states.count) items (waited for)")
        var fromRead = try fromResult.get()
        var toRead = try toResult.get()
        let unlinked = UnlinkedProbe(job: job, states: states, from: fromRead, to: toRead)
        try AbsenceCheck(connector: from, side: .from, window: window, timeZone: job.timeZone)
            .confirm(states, in: &fromRead, other: toRead, unlinked: unlinked.onFrom)
        try AbsenceCheck(connector: to, side: .to, window: window, timeZone: job.timeZone)
            .confirm(states, in: &toRead, other: fromRead, unlinked: unlinked.onTo)

        progress(RunProgress(phase: "planning", done: 0, total: states.count))
        timings.mark("absence")
        let plan = try Planner(job: job, matching: linking).plan(
            states: states, from: fromRead, to: toRead, withBase: store.withBase)
        timings.mark("plan", "\(plan.items.count) items to apply, \(plan.unchanged) unchanged")
        report.toCounts.unchanged = plan.unchanged
        report.failures = plan.invalid.map {
            ItemFailure(key: $0.key, side: $0.target?.rawValue ?? "from", reason: $0.reason)
        }
        report.linked = plan.linked > 0 ? plan.linked : nil
        report.ambiguous = plan.ambiguous.isEmpty ? nil : plan.ambiguous
        for bad in plan.invalid {
            // A bad item read from one side is an item that failed to reach the other.
            if bad.target == .to { report.fromCounts.failed += 1 } else { report.toCounts.failed += 1 }
        }
        let actions = plan.actions

        if !options.allowMassDelete {
            let guardRule = MassDeleteGuard(
                percent: job.config.massDeletePercent, minimum: job.config.massDeleteMin)
            for side in [ConnectorContext.Side.to, .from] {
                let source = side == .to ? fromRead : toRead
                let known = states.reduce(0) { $0 + ($1.key(side == .to ? .from : .to) != nil ? 1 : 0) }
                let listedNothing =
                    !source.isDelta && source.items.isEmpty && source.problems.isEmpty && known > 0
                    && states.contains { source.absenceMeansDeletion(lastStart: $0.start) }
                if let why = guardRule.check(
                    side: side, deletes: plan.deletes(toward: side), known: known,
                    sourceListedNothing: listedNothing)
                {
                    throw AlmanacError(.syncMassDeleteBlocked, "job \(name): \(why)")
                }
            }
        }
        if options.dryRun {
            tally(plan, into: &report)
            report.result = report.failures.isEmpty ? .success : .partial
            return actions
        }

        // Open before the first link's state is written: a run stopped after some of its batches
        // is matched again by the next one.
        if linking && !linkOpen { try store.setFirstLinkOpen(job: name, true) }
        var applier = Applier(job: job, from: from, to: to, store: store, fault: faultHook)
        try applier.apply(plan, progress: progress)
        // Facts only save later runs work: one that cannot be kept is made again (`RowFact`).
        if !plan.rowFacts.isEmpty { try? store.keepRowFacts(plan.rowFacts) }
        timings.mark("apply")
        report.toCounts = merge(report.toCounts, applier.toCounts)
        report.fromCounts = merge(report.fromCounts, applier.fromCounts)
        report.failures += applier.failures
        // A create held back because an earlier one may still land: the run is retried once it
        // may be sent.
        if applier.held > 0 {
            report.retryable = true
            report.retryNotBefore = applier.heldUntil
        }

        if applier.unapplied == 0 {
            var cursors: [ConnectorContext.Side: String] = [:]
            if let c = job.readsFromInFull ? "" : fromRead.cursor { cursors[.from] = c }
            if let c = toRead.cursor { cursors[.to] = c }
            if !cursors.isEmpty {
                progress(RunProgress(phase: "committing"))
                faultHook(.beforeCursorCommit)
                try store.commit(job: name, upserts: [], cursors: cursors)
                faultHook(.afterCursorCommit)
            }
            if linking && plan.ambiguous.isEmpty { try store.setFirstLinkOpen(job: name, false) }
        }
        timings.mark("cursors")
        report.result = report.failures.isEmpty ? .success : .partial
        return actions
    }

    private func reader(_ connector: any Connector, window: TimeWindow, expectedItems: Int) -> SideReader {
        var reader = SideReader(connector: connector, window: window, chunkDays: job.chunkDays)
        reader.expectedItems = expectedItems
        return reader
    }

    private func read(
        _ reader: SideReader, side: ConnectorContext.Side, cursor: String?, options: RunOptions,
        _ progress: (RunProgress) -> Void
    ) throws -> SideRead {
        do {
            // `--since` reads a delta too, which a job that lists `from` in full does not take.
            let since = side == .from && job.readsFromInFull ? nil : options.since
            return try reader.read(cursor: cursor, since: since, full: options.full) { pages in
                progress(RunProgress(phase: "reading", done: pages))
            }
        } catch let error as AlmanacError {
            if failedSide == nil { failedSide = side }
            throw AlmanacError(
                error.code, "reading the \(side.rawValue) side of job \(job.config.name): \(error.message)",
                cause: error, retryable: error.retryable)
        }
    }

    /// Dry-run counts: what would be done.
    private func tally(_ plan: Plan, into report: inout RunReport) {
        for action in plan.items.flatMap(\.actions) {
            var c = action.target == .from ? report.fromCounts : report.toCounts
            switch action.kind {
            case .create: c.created += 1
            case .update: c.updated += 1
            case .delete: c.deleted += 1
            case .confirm: c.confirmed += 1
            case .cancel: c.cancelled += 1
            case .skip: c.skipped += 1
            default: break
            }
            if action.hasConflicts { c.conflicts += 1 }
            if action.target == .from { report.fromCounts = c } else { report.toCounts = c }
        }
    }

    private func merge(_ a: ActionCounts, _ b: ActionCounts) -> ActionCounts {
        var c = a
        c.created += b.created
        c.updated += b.updated
        c.deleted += b.deleted
        c.confirmed += b.confirmed
        c.cancelled += b.cancelled
        c.conflicts += b.conflicts
        c.skipped += b.skipped
        c.failed += b.failed
        c.unchanged += b.unchanged
        return c
    }
}
