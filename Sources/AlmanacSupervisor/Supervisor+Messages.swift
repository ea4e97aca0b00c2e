import AlmanacCore
import AlmanacWire
import Foundation

/// The worker → supervisor half of the pipe protocol (ARCHITECTURE.md §6). Called under `lock`.
extension Supervisor {
    func handle(_ message: PipeMessage, from slot: WorkerSlot, now: Double) {
        if message.kind != .status && message.kind != .quotaAsk { timersDirty = true }
        switch message {
        case .hello(let m):
            slot.runningConfigHash = m.configHash
            if let mine = slot.profile?.configHash, m.configHash != mine {
                record(slot, "warning", "worker runs another version of the file than the daemon validated")
            }
        case .ready(let m):
            slot.readyAt = now
            slot.nextRun = m.nextRun
            slot.retryAt = nil  // a new worker process: no retry pending
            slot.runs.ready(jobs: m.jobs, stored: m.lastRuns ?? [], connections: m.connections ?? [])
            keepRunBook(slot)
            if slot.state == .starting { slot.enter(.ready) }
            if slot.notified == .invalid { slot.notified = nil }  // it started: the file is good again
            record(slot, "info", "worker ready", ["jobs": m.jobs.joined(separator: ",")])
        case .status(let m):
            slot.nextRun = m.nextRun
            slot.job = m.job
            slot.progress = m.progress
            if slot.state.isUp, let state = WorkerState(rawValue: m.state), state.isUp { slot.enter(state) }
            for w in slot.waiters.values where !w.runIDs.isEmpty && m.progress != nil { w.push(message) }
        case .runStarted(let m):
            slot.job = m.job
            if slot.state.isUp { slot.enter(.syncing) }
            for id in m.requestIDs {
                guard let w = slot.waiters[id] else { continue }
                w.runIDs.insert(m.runID)
                w.push(message)
            }
        case .runFinished(let m):
            slot.retryAt = m.retryAt
            let summary = RunSummary(m, finished: Date())
            slot.runs.finished(summary, connections: m.connections)
            keepRunBook(slot)
            // A real run went through: the worker's own trouble is over.
            if summary.dryRun != true, summary.result == "success" || summary.result == "partial" {
                slot.lastError = nil
            }
            // By request id, or by the run id its `run_started` carried (the same id).
            let served = Set(m.requestIDs)
            for (id, w) in slot.waiters where served.contains(id) || w.runIDs.contains(m.runID) {
                w.push(message)
                if m.batchDone {
                    w.close()
                    slot.waiters[id] = nil
                }
            }
            if m.batchDone, slot.state == .syncing { slot.enter(.idle) }
        case .connection(let m):
            if let health = m.health {
                slot.runs.observed(health)
                keepRunBook(slot)
            }
            if let id = m.id { slot.waiters[id]?.push(message) }
        case .reply(let m):
            guard let w = slot.waiters[m.id] else { return }
            w.push(message)
            if w.kind != "sync" || !m.ok {
                w.close(error: m.ok ? nil : (m.error ?? "the worker refused the request"))
                slot.waiters[m.id] = nil
            }
        case .quotaAsk(let m):
            quotaAsk(slot, id: m.id, keys: m.keys, tokens: m.tokens, now: now)
        case .quotaReport(let m):
            quotaRefused(slot, m, now: now)
        case .sync, .testConnection, .history, .conflicts, .ping, .shutdown, .quotaGrant:
            record(
                slot, "warning", "dropped a command-type message on the event pipe", ["type": message.kind.rawValue])
        }
    }
}
