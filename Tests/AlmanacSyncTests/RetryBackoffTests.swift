import AlmanacCore
import AlmanacSync
import Foundation
import Testing

/// The retry policy after runs that fail for a passing reason, as a value.
@Suite struct RetryBackoffTests {
    @Test func doublesFromThirtySecondsUpToTheScheduleInterval() {
        let hourly = RetryBackoff(schedule: Schedule(trigger: .every(.seconds(3_600)), jitter: .zero))
        #expect(
            (1...10).map { hourly.delay(afterFailures: $0) } == [
                30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600, 3_600,
            ])
        #expect(hourly.description == "30s, ×2, at most 3600s")
    }

    @Test func aScheduleShorterThanTheFirstDelayCapsEveryRetry() {
        let often = RetryBackoff(schedule: Schedule(trigger: .every(.seconds(45)), jitter: .zero))
        #expect((1...4).map { often.delay(afterFailures: $0) } == [30, 45, 45, 45])
        let veryOften = RetryBackoff(schedule: Schedule(trigger: .every(.seconds(10)), jitter: .zero))
        #expect(veryOften.delay(afterFailures: 1) == 10)
        #expect(veryOften.delay(afterFailures: 5) == 10)
    }

    static let atSchedules: [([LocalTime], Double)] = [
        ([LocalTime(hour: 4, minute: 0), LocalTime(hour: 12, minute: 30)], 8.5 * 3_600),
        ([LocalTime(hour: 23, minute: 0), LocalTime(hour: 0, minute: 30)], 1.5 * 3_600),
        ([LocalTime(hour: 6, minute: 0)], 86_400),
    ]

    @Test(arguments: atSchedules)
    func atTimesCapAtTheShortestGapAcrossMidnight(times: [LocalTime], cap: Double) {
        #expect(RetryBackoff(schedule: Schedule(trigger: .at(times), jitter: .zero)).cap == cap)
    }

    @Test func aManualScheduleCapsAtOneHourAndTheFirstDelayIsSettable() {
        let manual = RetryBackoff(schedule: Schedule(trigger: .manual, jitter: .zero), first: 1)
        #expect(manual.cap == 3_600)
        #expect((1...4).map { manual.delay(afterFailures: $0) } == [1, 2, 4, 8])
        #expect(manual.delay(afterFailures: 40) == 3_600)
        #expect(manual.delay(afterFailures: 0) == 1)
    }
}
