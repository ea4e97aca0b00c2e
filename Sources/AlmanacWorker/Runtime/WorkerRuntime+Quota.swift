import AlmanacHTTP
import Foundation

/// The worker's quota client (README "Quota governor").
extension WorkerRuntime {
    /// Makes the quota client and sets it as the process's gate: every governed HTTP request of
    /// this worker asks the supervisor from now on.
    func startQuotaClient(grantFD: Int32?) -> QuotaClient {
        let client = QuotaClient(events: events, grantFD: grantFD)
        QuotaGates.current = client
        return client
    }

    /// Logs how many quota asks of the run were granted at once and their round trip (p50, p99,
    /// max).
    func logQuotaRoundTrips(job: String, runID: String) {
        guard let r = quota?.takeRoundTrips() else { return }
        logger.info(
            "quota grants",
            metadata: [
                "job": "\(job)", "run_id": "\(runID)", "grants": "\(r.count)",
                "p50_us": "\(Int(r.p50.rounded()))", "p99_us": "\(Int(r.p99.rounded()))",
                "max_us": "\(Int(r.max.rounded()))",
            ])
    }
}
