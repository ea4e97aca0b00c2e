import AlmanacCore
import AlmanacWorker
import Foundation

/// The text `almanac run` prints for one job.
enum RunSummary {
    /// `policy`: the job's `privacy`/`include`/`exclude`, said before a dry run's plan.
    static func text(_ result: JobRunResult, dryRun: Bool, policy: DirectionPolicy? = nil) -> String {
        let r = result.report
        var out = ""
        if dryRun {
            out += "job \(r.job): plan (dry run, nothing written)\n"
            for line in policy?.summary ?? [] { out += "  \(line)\n" }
            for line in result.plan { out += "  \(line)\n" }
        }
        out +=
            "job \(r.job): \(r.result.rawValue) in \(r.durationMS) ms; "
            + "to: \(r.toCounts.summary); from: \(r.fromCounts.summary)"
        if let linked = r.linked { out += "; \(linked) linked" }
        if let ambiguous = r.ambiguous { out += "; \(ambiguous.count) ambiguous" }
        out += "\n"
        if !dryRun { for group in r.ambiguous ?? [] { out += "  ambiguous \(group)\n" } }  // a plan lists them
        if let error = r.error { out += "  error \(r.errorCode ?? ErrorCode.syncFailed.rawValue): \(error)\n" }
        for failure in r.failures { out += "  failed \(failure)\n" }
        out += ConflictText.summary(r.conflicts)
        return out
    }

    /// One line of JSON: `{"plan": [...], "report": {...}}` (the plan on dry runs only).
    static func json(_ result: JobRunResult, dryRun: Bool) -> String {
        struct Body: Encodable {
            var report: RunReport
            var plan: [String]?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        let body = Body(report: result.report, plan: dryRun ? result.plan : nil)
        return (try? String(decoding: encoder.encode(body), as: UTF8.self)) ?? "{}"
    }
}
