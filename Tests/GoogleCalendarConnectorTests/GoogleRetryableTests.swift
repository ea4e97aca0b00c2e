import AlmanacCore
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// A Google that still answers 503 after the client's own retries fails the run for a passing
/// reason (`RunReport.retryable`: the worker runs the job again soon).
@Suite("google failures that may pass", .serialized, .timeLimit(.minutes(10)))
struct GoogleRetryableTests {
    @Test func anUnavailableGoogleFailsTheRunRetryably() throws {
        let h = try SyncHarness.windowed()
        _ = try h.fromStore.put(h.event("Visit", hours: 3))
        let g = try GoogleHarness(faults: FaultPolicy(rate: 1, kinds: [.unavailable]))
        let report = try h.run(to: g.connector).report
        #expect(report.result == .failed)
        #expect(report.errorCode == "google.request_failed")
        #expect(report.retryable == true)
    }
}
