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
            + "to: \(r.toCounts.summary); from: \(r.fromCounts.summary)\n"
        if let error = r.error { out += "  error \(r.errorCode ?? ErrorCode.syncFailed.rawValue): \(error)\n" }
        for failure in r.failures { out += "  failed \(failure)\n" }
        out += ConflictText.summary(r.conflicts)
        return out
    }
}
