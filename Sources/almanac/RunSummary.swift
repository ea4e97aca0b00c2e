import AlmanacCore
import AlmanacWorker

/// The text `almanac run` prints for one job.
enum RunSummary {
    static func text(_ result: JobRunResult, dryRun: Bool) -> String {
        let r = result.report
        var out = ""
        if dryRun {
            out += "job \(r.job): plan (dry run, nothing written)\n"
            for line in result.plan { out += "  \(line)\n" }
        }
        out +=
            "job \(r.job): \(r.result.rawValue) in \(r.durationMS) ms; "
            + "to: \(counts(r.toCounts)); from: \(counts(r.fromCounts))\n"
        if let error = r.error { out += "  error \(r.errorCode ?? "sync.failed"): \(error)\n" }
        for failure in r.failures { out += "  failed \(failure)\n" }
        return out
    }

    /// `3 created, 1 updated, 96 unchanged`: the non-zero counts, or `nothing`.
    static func counts(_ c: ActionCounts) -> String {
        let parts: [(Int, String)] = [
            (c.created, "created"), (c.updated, "updated"), (c.deleted, "deleted"), (c.confirmed, "confirmed"),
            (c.cancelled, "cancelled"), (c.conflicts, "conflicts"), (c.skipped, "skipped"), (c.failed, "failed"),
            (c.unchanged, "unchanged"),
        ]
        let text = parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        return text.isEmpty ? "nothing" : text
    }
}
