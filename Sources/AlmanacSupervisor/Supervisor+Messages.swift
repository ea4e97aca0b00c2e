import AlmanacCore
import AlmanacWire
import Foundation

/// The worker → supervisor half of the pipe protocol (DESIGN §6). Called under `lock`.
extension Supervisor {
    func handle(_ m: PipeMessage, from slot: WorkerSlot, now: Double) {
        if m.type != .status { timersDirty = true }
        switch m.type {
        case .hello:
            if let h = m.configHash, let mine = slot.profile?.configHash, h != mine {
                record(slot, "warning", "worker runs another version of the file than the daemon validated")
            }
        case .ready:
            slot.readyAt = now
            slot.nextRun = m.nextRun
            slot.retryAt = nil  // a new worker process: no retry pending
            if slot.state == .starting { slot.enter(.ready) }
            record(slot, "info", "worker ready", ["jobs": (m.jobs ?? []).joined(separator: ",")])
        case .status:
            slot.nextRun = m.nextRun
            slot.job = m.job
            slot.progress = m.progress
            if slot.state.isUp, let s = m.state, let state = WorkerState(rawValue: s), state.isUp { slot.enter(state) }
            for w in slot.waiters.values where !w.runIDs.isEmpty && m.progress != nil { w.push(m) }
        case .runStarted:
            slot.job = m.job
            if slot.state.isUp { slot.enter(.syncing) }
            for id in m.requestIDs ?? [] {
                guard let w = slot.waiters[id], let run = m.runID else { continue }
                w.runIDs.insert(run)
                w.push(m)
            }
        case .runFinished:
            slot.retryAt = m.retryAt
            if let summary = RunSummary(m, finished: Date()) {
                slot.lastRun = summary
                if summary.result == "failed" || summary.result == "blocked" {
                    slot.lastError = [summary.errorCode, summary.error].compactMap { $0 }.joined(separator: ": ")
                } else if summary.result == "success" {
                    slot.lastError = nil
                }
            }
            // By request id: the run id of `run_finished` is the one the engine recorded.
            let served = Set(m.requestIDs ?? [])
            for (id, w) in slot.waiters where served.contains(id) || (m.runID.map(w.runIDs.contains) ?? false) {
                w.push(m)
                if m.batchDone == true {
                    w.close()
                    slot.waiters[id] = nil
                }
            }
            if m.batchDone == true, slot.state == .syncing { slot.enter(.idle) }
        case .connection:
            if let id = m.id { slot.waiters[id]?.push(m) }
        case .reply:
            guard let id = m.id, let w = slot.waiters[id] else { return }
            w.push(m)
            if w.kind != "sync" || m.ok == false {
                w.close(error: m.ok == false ? (m.error ?? "the worker refused the request") : nil)
                slot.waiters[id] = nil
            }
        case .sync, .testConnection, .ping, .shutdown:
            record(slot, "warning", "dropped a command-type message on the event pipe", ["type": m.type.rawValue])
        }
    }
}
