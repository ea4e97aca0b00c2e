import AlmanacSupervisor
import Testing

@Suite(.timeLimit(.minutes(10)))
struct WatchdogTests {
    @Test func periodIsHalfOfWatchdogUsec() {
        let w = Watchdog(environment: ["WATCHDOG_USEC": "30000000"], pid: 42, now: 100)
        #expect(w.period == 15)
        #expect(w.due == 115)
    }

    @Test func ownPidOrNoneEnablesIt() {
        #expect(Watchdog(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "42"], pid: 42).period == 1)
        #expect(Watchdog(environment: ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "43"], pid: 42).period == nil)
    }

    @Test func offWithoutAPositiveInterval() {
        for env in [[:], ["WATCHDOG_USEC": "0"], ["WATCHDOG_USEC": "soon"], ["WATCHDOG_USEC": "-5"]] {
            let w = Watchdog(environment: env, pid: 42)
            #expect(w.period == nil)
            #expect(w.due == .infinity)
        }
    }

    @Test func beatMovesTheDueTimeOnlyWhenDue() {
        var w = Watchdog(environment: ["WATCHDOG_USEC": "2000000"], pid: 42, now: 10)
        let notify = SDNotify(environment: [:])
        w.beat(now: 10.5, notify: notify)
        #expect(w.due == 11)
        w.beat(now: 11.2, notify: notify)
        #expect(w.due == 12.2)
    }
}
