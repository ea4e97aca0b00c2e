import AlmanacCore
import AlmanacSync
import AlmanacWire
import Foundation

/// What the worker keeps in the state file besides the sync state, and sends the supervisor:
/// the run history (its retention, the latest runs at start, `history` requests) and what was
/// last seen of each connection (`ConnectionHealth`).
extension WorkerRuntime {
    /// The most runs one `history` reply carries (it must fit in one pipe line).
    static let historyLimit = 500

    /// Deletes the runs older than the profile's `[history] retention`.
    func pruneHistory(_ runner: JobRunner) {
        do {
            let n = try runner.pruneHistory()
            if n > 0 { logger.info("run history: deleted runs past the retention", metadata: ["runs": "\(n)"]) }
        } catch {
            logger.warning("run history: cannot delete old runs: \(error)")
        }
    }

    /// The `ready` message: the jobs, the next run, and what the state file keeps of the latest
    /// runs (of the profile's jobs) and of the connections (of the profile's connections).
    func readyMessage(_ store: StateStore, profile: Profile) -> PipeMessage.Ready {
        Self.readyMessage(store, profile: profile, nextRun: nextRun)
    }

    static func readyMessage(_ store: StateStore, profile: Profile, nextRun: Date?) -> PipeMessage.Ready {
        let jobs = profile.jobs.map(\.name)
        let last = (try? store.lastRuns()) ?? [:]
        let runs = jobs.compactMap { last[$0] }.map(RunSummary.init)
        let health = ((try? store.connectionHealth()) ?? [:]).values
            .filter { profile.connections[$0.name] != nil }.sorted { $0.name < $1.name }
        return .init(
            jobs: jobs, nextRun: nextRun, lastRuns: runs.isEmpty ? nil : runs,
            connections: health.isEmpty ? nil : health)
    }

    /// Records what a run of `job` says of its connections: a run that failed with an error of a
    /// connection's connector marks that connection failing (only the side whose read failed, when
    /// the run says which); a run that did not fail read both
    /// sides and marks both ok; other failures (state, engine) say nothing. Returns the job's
    /// connections as stored now (nil when the run said nothing of them).
    func observe(_ report: RunReport, job: String, profile: Profile, store: StateStore) -> [ConnectionHealth]? {
        guard let config = profile.jobs.first(where: { $0.name == job }) else { return nil }
        let names = Array(Set([config.from, config.to])).sorted()
        let blamed = report.failedSide.map { $0 == "from" ? config.from : config.to }
        var known = (try? store.connectionHealth()) ?? [:]
        var changed: [ConnectionHealth] = []
        for name in names {
            let state: ConnectionHealth.State
            switch report.result {
            case .success, .partial, .blocked:
                state = .ok
            case .failed:
                guard let code = report.errorCode, let kind = profile.connections[name]?.connector,
                    ConnectionHealth.blames(errorCode: code, connector: kind), blamed == nil || blamed == name
                else { continue }
                state = ConnectionHealth.failureState(errorCode: code, message: report.error)
            }
            let h = ConnectionHealth.observe(
                known[name], name: name, state: state, at: report.finished, errorCode: report.errorCode,
                error: report.error)
            known[name] = h
            changed.append(h)
        }
        guard !changed.isEmpty else { return nil }
        save(changed, store)
        return names.compactMap { known[$0] }
    }

    /// Records a `test-connection` of `name` and returns the connection's status after it.
    func observe(test report: ConnectionReport, name: String, store: StateStore) -> ConnectionHealth {
        let failed = report.steps.first { !$0.ok }
        let detail = failed.map { "\($0.name): \($0.detail)" }
        let state: ConnectionHealth.State =
            failed == nil && report.ok ? .ok : ConnectionHealth.failureState(errorCode: nil, message: detail)
        let previous = (try? store.connectionHealth())?[name]
        let h = ConnectionHealth.observe(
            previous, name: name, state: state, at: Date(), error: detail ?? (report.ok ? nil : "no step ran"))
        save([h], store)
        return h
    }

    /// The answer to a `history` request.
    func historyReply(_ m: PipeMessage.History, profile: Profile, store: StateStore) -> PipeMessage.Reply {
        if let job = m.job, !profile.jobs.contains(where: { $0.name == job }) {
            return .init(id: m.id, ok: false, error: "profile \(profile.name) has no job named \"\(job)\"")
        }
        do {
            let runs = try store.history(job: m.job, limit: max(1, min(m.limit, Self.historyLimit)))
            return .init(id: m.id, ok: true, runs: runs.map(RunSummary.init))
        } catch {
            return .init(id: m.id, ok: false, error: "cannot read the run history: \(error)")
        }
    }

    private func save(_ health: [ConnectionHealth], _ store: StateStore) {
        do {
            try store.save(health)
        } catch {
            logger.warning("cannot store the connections' status: \(error)")
        }
    }
}
