import AlmanacSupervisor
import Testing

@Suite struct RestartPolicyTests {
    @Test func backoffDoublesFromOneSecondAndCapsAtFiveMinutes() {
        var policy = RestartPolicy()
        policy.fatalRestarts = 1_000
        var tracker = RestartTracker(policy: policy)
        var delays: [Double] = []
        for i in 0..<12 {
            // 61 s apart, so the fatal window never fills; up for 1 s, so the backoff never resets.
            guard case .restart(let d) = tracker.exited(at: Double(i) * 61, upFor: 1, exitCode: 1, random: 0) else {
                Issue.record("expected a restart")
                return
            }
            delays.append(d)
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300])
    }

    @Test func jitterAddsAtMostTenPercent() {
        var tracker = RestartTracker()
        #expect(
            tracker.exited(at: 0, upFor: 0, exitCode: 1, random: 0.999_999)
                == .restart(after: 1 * (1 + 0.1 * 0.999_999)))
        #expect(tracker.exited(at: 1, upFor: 0, exitCode: 1, random: 0.5) == .restart(after: 2.1))
    }

    @Test func aWorkerUpForSixtySecondsRestartsAtOnceThenTheBackoffStartsOver() {
        var tracker = RestartTracker()
        _ = tracker.exited(at: 0, upFor: 0, exitCode: 1, random: 0)
        _ = tracker.exited(at: 100, upFor: 0, exitCode: 1, random: 0)
        #expect(tracker.exited(at: 200, upFor: 5, exitCode: 1, random: 0) == .restart(after: 4))
        #expect(tracker.exited(at: 300, upFor: 60, exitCode: 1, random: 0.9) == .restart(after: 0))
        #expect(tracker.consecutiveFailures == 0)
        // Its replacement dying soon after waits as a first failure did before.
        #expect(tracker.exited(at: 301, upFor: 1, exitCode: 1, random: 0) == .restart(after: 1))
        #expect(tracker.exited(at: 303, upFor: 1, exitCode: nil, random: 0) == .restart(after: 2))
        // A worker that dies once a minute or less often never waits.
        #expect(tracker.exited(at: 400, upFor: 95, exitCode: 1, random: 0) == .restart(after: 0))
        #expect(tracker.exited(at: 470, upFor: 69, exitCode: 1, random: 0) == .restart(after: 0))
    }

    @Test func moreThanFiveRestartsInSixtySecondsIsFatalWithSlowRetry() {
        var tracker = RestartTracker()
        for i in 0..<5 {
            if case .fatal = tracker.exited(at: Double(i), upFor: 0, exitCode: 1, random: 0) {
                Issue.record("fatal too early")
            }
        }
        #expect(tracker.exited(at: 5, upFor: 0, exitCode: 1, random: 0) == .fatal(retryAfter: 300))
        // Once the window has passed, restarts are allowed again.
        #expect(tracker.exited(at: 400, upFor: 0, exitCode: 1, random: 0) != .fatal(retryAfter: 300))
    }

    @Test func exitCode78IsInvalidAndNotCounted() {
        var tracker = RestartTracker()
        #expect(tracker.exited(at: 0, upFor: 0, exitCode: 78, random: 0) == .invalid)
        #expect(tracker.recentRestarts.isEmpty)
        #expect(tracker.exited(at: 1, upFor: 0, exitCode: nil, random: 0) == .restart(after: 1))
    }

    @Test func resetForgetsHistory() {
        var tracker = RestartTracker()
        for i in 0..<4 { _ = tracker.exited(at: Double(i), upFor: 0, exitCode: 1, random: 0) }
        tracker.reset()
        #expect(tracker.consecutiveFailures == 0)
        #expect(tracker.exited(at: 5, upFor: 0, exitCode: 1, random: 0) == .restart(after: 1))
    }

    @Test func describesItself() {
        #expect(RestartPolicy().description.contains("fatal after >5 restarts in 60.0s"))
        #expect(RestartPolicy().description.hasPrefix("at once after 60.0s up, then backoff 1.0s…300.0s +10% jitter"))
    }
}
