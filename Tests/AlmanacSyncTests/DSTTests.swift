import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// America/Chicago in 2030: clocks jump 02:00 → 03:00 on March 10 and fall back 02:00 → 01:00 on
/// November 3.
@Suite struct DSTTests {
    static let chicago = TimeZone(identifier: "America/Chicago")!

    static func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    static func wall(_ d: String, _ t: String) -> WallTime {
        WallTime(date: CivilDate(iso: d)!, time: LocalTime(string: t)!)
    }

    @Test(arguments: [
        ("2030-03-10", "01:59", "2030-03-10T07:59:00Z"),  // CST, just before the gap
        ("2030-03-10", "02:00", "2030-03-10T08:00:00Z"),  // in the gap: when the clocks jump
        ("2030-03-10", "02:30", "2030-03-10T08:00:00Z"),
        ("2030-03-10", "03:00", "2030-03-10T08:00:00Z"),  // CDT
        ("2030-03-10", "03:30", "2030-03-10T08:30:00Z"),
        ("2030-11-03", "00:30", "2030-11-03T05:30:00Z"),  // CDT
        ("2030-11-03", "01:30", "2030-11-03T06:30:00Z"),  // overlap: the earlier (CDT) one
        ("2030-11-03", "02:00", "2030-11-03T08:00:00Z"),  // CST
        ("2030-07-01", "12:00", "2030-07-01T17:00:00Z"),
        ("2030-01-15", "12:00", "2030-01-15T18:00:00Z"),
    ])
    func naiveTimesResolveExplicitly(date: String, time: String, want: String) {
        #expect(Self.wall(date, time).resolve(in: Self.chicago) == Self.utc(want))
    }

    @Test func atTimesFollowTheWallClockAcrossBothChanges() {
        let s = Schedule(trigger: .at([LocalTime(hour: 2, minute: 30)]), jitter: .zero)
        func next(_ now: String) -> Date? {
            RunClock.nextRun(s, zone: Self.chicago, now: Self.utc(now), lastStart: nil, jitterFraction: 0)
        }
        #expect(next("2030-03-09T12:00:00Z") == Self.utc("2030-03-10T08:00:00Z"))  // 02:30 does not exist: at the jump
        #expect(next("2030-03-10T08:00:00Z") == Self.utc("2030-03-11T07:30:00Z"))  // then 02:30 CDT
        #expect(next("2030-03-08T09:00:00Z") == Self.utc("2030-03-09T08:30:00Z"))  // 02:30 CST

        let once = Schedule(
            trigger: .at([LocalTime(hour: 1, minute: 30), LocalTime(hour: 12, minute: 0)]), jitter: .zero)
        func nextOnce(_ now: Date) -> Date {
            RunClock.nextRun(once, zone: Self.chicago, now: now, lastStart: nil, jitterFraction: 0)!
        }
        let first = nextOnce(Self.utc("2030-11-03T04:00:00Z"))
        #expect(first == Self.utc("2030-11-03T06:30:00Z"))  // 01:30 CDT
        #expect(nextOnce(first) == Self.utc("2030-11-03T18:00:00Z"))  // not again at 01:30 CST, on to 12:00 CST
    }

    @Test func everyAddsTheIntervalAndJitter() {
        let s = Schedule(trigger: .every(.seconds(3_600)), jitter: .seconds(120))
        let last = Self.utc("2030-03-10T07:30:00Z")
        #expect(
            RunClock.nextRun(s, zone: Self.chicago, now: last, lastStart: last, jitterFraction: 0)
                == Self.utc("2030-03-10T08:30:00Z"))  // an hour of real time across the jump
        #expect(
            RunClock.nextRun(s, zone: Self.chicago, now: last, lastStart: last, jitterFraction: 1)
                == Self.utc("2030-03-10T08:32:00Z"))
        let late = Self.utc("2030-03-10T12:00:00Z")
        #expect(RunClock.nextRun(s, zone: Self.chicago, now: late, lastStart: last, jitterFraction: 0) == late)
        #expect(
            RunClock.nextRun(
                Schedule(trigger: .manual, jitter: .zero), zone: Self.chicago, now: late,
                lastStart: nil) == nil)
    }

    /// Items at the gap and overlap instants, and all-day items on the change days, sync once
    /// and then stay unchanged; the all-day item is placed in the window at local midnight.
    @Test func itemsAroundTheChangesSyncOnceAndStayStill() throws {
        let h = try SyncHarness(
            job: "window = { past_days = 1, future_days = 3, chunk_days = 1 }",
            now: Self.utc("2030-03-09T12:00:00Z"))
        let gap = Self.wall("2030-03-10", "02:30").resolve(in: Self.chicago)
        try h.fromStore.put(
            Event(
                title: "In the gap", start: .instant(gap, timeZone: "America/Chicago"),
                end: .instant(gap.addingTimeInterval(3_600), timeZone: "America/Chicago")), key: "G")
        try h.fromStore.put(
            Event(
                title: "Change day", start: .allDay(CivilDate(iso: "2030-03-10")!),
                end: .allDay(CivilDate(iso: "2030-03-11")!)), key: "D")
        // All-day items are placed in the window at local midnight (2030-03-12T05:00Z here).
        try h.fromStore.put(Event(title: "Edge day", start: .allDay(CivilDate(iso: "2030-03-12")!)), key: "E")
        let out = try h.run()
        #expect(out.report.toCounts.created == 3)
        let to = h.toStore.live.values.map(\.event)
        #expect(
            to.first { $0.title == "In the gap" }?.start
                == .instant(Self.utc("2030-03-10T08:00:00Z"), timeZone: "America/Chicago"))
        #expect(to.first { $0.title == "Change day" }?.end == .allDay(CivilDate(iso: "2030-03-11")!))
        #expect(try h.run(RunOptions(full: true)).report.toCounts.changed == 0)

        let fall = try SyncHarness(
            job: "window = { past_days = 1, future_days = 3, chunk_days = 1 }",
            now: Self.utc("2030-11-02T12:00:00Z"))
        let first = Self.wall("2030-11-03", "01:30").resolve(in: Self.chicago)
        let second = first.addingTimeInterval(3_600)  // 01:30 CST, the repeated hour
        try fall.fromStore.put(Event(title: "First 01:30", start: .instant(first, timeZone: nil)), key: "F1")
        try fall.fromStore.put(Event(title: "Second 01:30", start: .instant(second, timeZone: nil)), key: "F2")
        #expect(try fall.run().report.toCounts.created == 2)
        #expect(Set(fall.toStore.live.values.map { $0.event.start.date(in: Self.chicago) }) == [first, second])
        #expect(try fall.run(RunOptions(full: true)).report.toCounts.changed == 0)
    }
}
