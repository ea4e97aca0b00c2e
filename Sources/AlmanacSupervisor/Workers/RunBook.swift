import AlmanacCore
import AlmanacWire
import Foundation

/// What the supervisor knows of one profile's runs and connections: per job its latest real run
/// and latest dry run, and what was last seen of each connection. Filled from the worker's
/// `ready` (what its state file keeps, so it survives daemon and worker restarts), `run_finished`
/// and `connection` messages, and kept on disk by the supervisor too (`RunBookStore`), so a
/// profile whose worker does not run after a daemon restart (disabled, invalid, backing off) still
/// shows them.
///
/// The profile's `health` is the worst of its jobs' latest real runs: `failing` when one failed
/// or was blocked, `ok` when all that ran succeeded (`partial` counts as ok: the run went
/// through, the items that failed are listed in its report); nil before any real run. Dry runs
/// are shown and never counted.
struct RunBook: Sendable, Hashable, Codable {
    /// The jobs of the profile, in file order (from `ready`).
    private(set) var jobs: [String] = []
    private(set) var last: [String: RunSummary] = [:]
    private(set) var lastDry: [String: RunSummary] = [:]
    private(set) var connections: [String: ConnectionHealth] = [:]

    /// What is kept on disk: dry runs are not (as in the worker's state file).
    enum CodingKeys: String, CodingKey { case jobs, last, connections }

    /// A worker is ready: its jobs, and what its state file keeps (a run or status the
    /// supervisor saw later is kept instead).
    mutating func ready(jobs: [String], stored: [RunSummary], connections health: [ConnectionHealth]) {
        self.jobs = jobs
        for r in stored where r.dryRun != true {
            if let known = last[r.job], known.finished >= r.finished { continue }
            last[r.job] = r
        }
        let names = Set(jobs)
        last = last.filter { names.contains($0.key) }
        lastDry = lastDry.filter { names.contains($0.key) }
        health.forEach { observed($0) }
    }

    /// A run finished.
    mutating func finished(_ r: RunSummary, connections: [ConnectionHealth]?) {
        if r.dryRun == true { lastDry[r.job] = r } else { last[r.job] = r }
        if !jobs.contains(r.job) { jobs.append(r.job) }
        (connections ?? []).forEach { observed($0) }
    }

    /// A connection was observed (a run or a test); an older observation is ignored.
    mutating func observed(_ h: ConnectionHealth) {
        if let known = connections[h.name], known.checked > h.checked { return }
        connections[h.name] = h
    }

    /// Each job in file order with its runs.
    var statuses: [JobStatus] { jobs.map { JobStatus(name: $0, lastRun: last[$0], lastDryRun: lastDry[$0]) } }

    /// Nothing but the jobs' names, which the profile gives again: no run, no connection seen.
    var keepsNothing: Bool { last.isEmpty && connections.isEmpty }

    /// The latest real run of any job.
    var latest: RunSummary? { last.values.max { $0.finished < $1.finished } }

    /// `ok`, `failing`, or nil before any real run.
    var health: String? {
        guard !last.isEmpty else { return nil }
        return statuses.contains(where: \.failing) ? "failing" : "ok"
    }

    /// `job: code: message` of the first failing job, in file order.
    var failingError: String? {
        guard let r = statuses.first(where: \.failing)?.lastRun else { return nil }
        return ([r.job, r.errorCode, r.error] as [String?]).compactMap { $0 }.joined(separator: ": ")
    }
}
