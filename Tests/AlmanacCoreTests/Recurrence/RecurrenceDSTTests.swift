import AlmanacCore
import Foundation
import Testing

/// Expansion across DST: wall-clock time kept, a gap time moved forward by the gap's length
/// (RFC 5545 §3.3.10 → §3.3.5: the offset before the gap), an overlap time at its first occurrence.
@Suite("Recurrence across DST", .timeLimit(.minutes(10)))
struct RecurrenceDSTTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func wall(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int) -> WallTime {
        WallTime(date: CivilDate(year: y, month: m, day: d), time: LocalTime(hour: h, minute: min))
    }

    static func starts(_ set: RecurrenceSet, _ from: String, _ to: String) -> [String] {
        let f = ISO8601DateFormatter()
        return set.instances(from: utc(from), to: utc(to)).map { f.string(from: $0.start.date(in: .gmt)) }
    }

    static func daily(_ zone: String, _ start: WallTime, count: Int) throws -> RecurrenceSet {
        try RecurrenceSet(
            start: .zoned(start, TimeZone(identifier: zone)!),
            rules: [RecurrenceRule(parsing: "FREQ=DAILY;COUNT=\(count)")])
    }

    @Test func chicagoGapMovesForwardAnHourAndTheFoldTakesTheFirstOccurrence() throws {
        // 2026-03-08: 02:00 CST → 03:00 CDT. 02:30 does not exist: 03:30 CDT (08:30Z), and it counts.
        let spring = try Self.daily("America/Chicago", Self.wall(2026, 3, 7, 2, 30), count: 3)
        #expect(
            Self.starts(spring, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
                == ["2026-03-07T08:30:00Z", "2026-03-08T08:30:00Z", "2026-03-09T07:30:00Z"])
        // 2026-11-01: 02:00 CDT → 01:00 CST. 01:30 happens twice: the first, 01:30 CDT (06:30Z).
        let fall = try Self.daily("America/Chicago", Self.wall(2026, 10, 31, 1, 30), count: 3)
        #expect(
            Self.starts(fall, "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z")
                == ["2026-10-31T06:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T07:30:00Z"])
    }

    @Test func berlinKeepsTheWallClockAcrossBothChanges() throws {
        // 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
        let spring = try Self.daily("Europe/Berlin", Self.wall(2026, 3, 28, 2, 30), count: 3)
        #expect(
            Self.starts(spring, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
                == ["2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"])
        let fall = try Self.daily("Europe/Berlin", Self.wall(2026, 10, 24, 2, 30), count: 3)
        #expect(
            Self.starts(fall, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
                == ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        let weekly = try RecurrenceSet(
            start: .zoned(Self.wall(2026, 3, 16, 9, 0), TimeZone(identifier: "Europe/Berlin")!),
            rules: [RecurrenceRule(parsing: "FREQ=WEEKLY;COUNT=3")])
        #expect(
            Self.starts(weekly, "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")
                == ["2026-03-16T08:00:00Z", "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"])
    }

    @Test func lordHoweShiftsByHalfAnHour() throws {
        // 2026-10-04: 02:00 +10:30 → 02:30 +11. 02:15 does not exist: 02:45 +11 (15:45Z the day before).
        let spring = try Self.daily("Australia/Lord_Howe", Self.wall(2026, 10, 3, 2, 15), count: 3)
        #expect(
            Self.starts(spring, "2026-09-01T00:00:00Z", "2026-11-01T00:00:00Z")
                == ["2026-10-02T15:45:00Z", "2026-10-03T15:45:00Z", "2026-10-04T15:15:00Z"])
        // 2026-04-05: 02:00 +11 → 01:30 +10:30. 01:45 happens twice: the first, +11 (14:45Z the day before).
        let fall = try Self.daily("Australia/Lord_Howe", Self.wall(2026, 4, 4, 1, 45), count: 3)
        #expect(
            Self.starts(fall, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")
                == ["2026-04-03T14:45:00Z", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"])
    }

    @Test func exdatesRdatesAndExceptionsAreKeyedByOriginalStart() throws {
        let chicago = TimeZone(identifier: "America/Chicago")!
        let set = try RecurrenceSet(
            start: .zoned(Self.wall(2026, 3, 3, 9, 0), chicago), duration: 1_800,
            rules: [RecurrenceRule(parsing: "FREQ=WEEKLY;COUNT=5;BYDAY=TU")],
            rdates: [.local(Self.wall(2026, 3, 12, 14, 0)), .utc(Self.utc("2026-03-03T15:00:00Z"))],
            exdates: [.local(Self.wall(2026, 3, 17, 9, 0))],
            exceptions: [
                .init(originalStart: .instant(Self.utc("2026-03-10T14:00:00Z"), timeZone: nil), change: .cancelled),
                .init(
                    originalStart: .instant(Self.utc("2026-03-24T14:00:00Z"), timeZone: "America/Chicago"),
                    change: .moved(
                        start: .instant(Self.utc("2026-03-25T16:00:00Z"), timeZone: "America/Chicago"), end: nil)),
                // Keyed by a start the series does not have: names nothing.
                .init(
                    originalStart: .instant(Self.utc("2026-03-24T15:00:00Z"), timeZone: nil),
                    change: .moved(start: .instant(Self.utc("2026-03-26T16:00:00Z"), timeZone: nil), end: nil)),
            ])
        let got = set.instances(from: Self.utc("2026-03-01T00:00:00Z"), to: Self.utc("2026-04-30T00:00:00Z"))
        let f = ISO8601DateFormatter()
        // 03-03 09:00 CST = 15:00Z (DTSTART and the RDATE in UTC are one instance); 03-10 cancelled;
        // 03-12 RDATE 14:00 CDT; 03-17 excluded; 03-24 moved to the 25th; 03-31 09:00 CDT.
        #expect(
            got.map { f.string(from: $0.start.date(in: .gmt)) }
                == ["2026-03-03T15:00:00Z", "2026-03-12T19:00:00Z", "2026-03-25T16:00:00Z", "2026-03-31T14:00:00Z"])
        #expect(got.map(\.moved) == [false, false, true, false])
        #expect(got[2].originalStart == .instant(Self.utc("2026-03-24T14:00:00Z"), timeZone: "America/Chicago"))
        #expect(got[2].end == .instant(Self.utc("2026-03-25T16:30:00Z"), timeZone: "America/Chicago"))
        // The moved instance is found from a window that holds its new start only.
        let moved = set.instances(from: Self.utc("2026-03-25T00:00:00Z"), to: Self.utc("2026-03-26T00:00:00Z"))
        #expect(moved.map(\.originalStart) == [got[2].originalStart])
        #expect(set.contains(.instant(Self.utc("2026-03-24T14:00:00Z"), timeZone: nil)))
        #expect(!set.contains(.instant(Self.utc("2026-03-17T14:00:00Z"), timeZone: nil)))
    }

    @Test func allDaySeriesExpandByDate() throws {
        let set = try RecurrenceSet(
            start: .allDay(CivilDate(year: 2026, month: 1, day: 31)), duration: 1,
            rules: [RecurrenceRule(parsing: "FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20260430")],
            exdates: [.date(CivilDate(year: 2026, month: 2, day: 28))])
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let got = set.instances(
            from: Self.utc("2025-12-31T23:00:00Z"), to: Self.utc("2027-01-01T00:00:00Z"), localZone: berlin)
        #expect(
            got.map(\.start) == [
                .allDay(CivilDate(year: 2026, month: 1, day: 31)), .allDay(CivilDate(year: 2026, month: 3, day: 31)),
                .allDay(CivilDate(year: 2026, month: 4, day: 30)),
            ])
        #expect(got.last?.end == .allDay(CivilDate(year: 2026, month: 5, day: 1)))
        #expect(throws: RecurrenceError.self) {
            try RecurrenceSet(start: .allDay(CivilDate(year: 2026, month: 1, day: 1)), rdates: [.utc(Date())])
        }
    }

    /// Ten years of a daily rule: linear, and an endless rule is bounded by the window.
    @Test func tenYearsOfADailyRuleIsLinear() throws {
        let zone = TimeZone(identifier: "America/Chicago")!
        let set = try RecurrenceSet(
            start: .zoned(Self.wall(2026, 1, 1, 2, 30), zone), rules: [RecurrenceRule(parsing: "FREQ=DAILY")])
        let clock = ContinuousClock()
        var got: [RecurrenceSet.Instance] = []
        let elapsed = clock.measure {
            got = set.instances(from: Self.utc("2026-01-01T00:00:00Z"), to: Self.utc("2036-01-01T00:00:00Z"))
        }
        #expect(got.count == 3_652)
        #expect(elapsed < .seconds(2), "10 years of a daily rule took \(elapsed)")
        let far = clock.measure {
            got = set.instances(from: Self.utc("2426-01-01T00:00:00Z"), to: Self.utc("2426-01-08T00:00:00Z"))
        }
        #expect(got.count == 7)
        #expect(far < .milliseconds(500), "a week 400 years on took \(far)")
    }
}

/// UNTIL in each of its forms, and floating series.
@Suite("Recurrence UNTIL forms and floating series", .timeLimit(.minutes(10)))
struct RecurrenceUntilTests {
    static let chicago = TimeZone(identifier: "America/Chicago")!

    static func starts(_ set: RecurrenceSet, localZone: TimeZone = .gmt) -> [String] {
        let f = ISO8601DateFormatter()
        return set.instances(
            from: RecurrenceDSTTests.utc("2026-01-01T00:00:00Z"), to: RecurrenceDSTTests.utc("2027-01-01T00:00:00Z"),
            localZone: localZone
        ).map { f.string(from: $0.start.date(in: .gmt)) }
    }

    @Test func untilIsInclusiveInEachForm() throws {
        let start = RecurrenceSet.Start.zoned(RecurrenceDSTTests.wall(2026, 3, 6, 9, 0), Self.chicago)
        // UTC: 2026-03-09T14:00Z is 09:00 CDT on the 9th, the last instance.
        let utc = try RecurrenceSet(start: start, rules: [RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20260309T140000Z")])
        #expect(
            Self.starts(utc) == [
                "2026-03-06T15:00:00Z", "2026-03-07T15:00:00Z", "2026-03-08T14:00:00Z", "2026-03-09T14:00:00Z",
            ])
        // A second earlier in UTC: the 9th is out.
        let before = try RecurrenceSet(
            start: start, rules: [RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20260309T135959Z")])
        #expect(Self.starts(before).count == 3)
        // Floating with a zoned DTSTART (RFC 5545 wants UTC): read on the series' wall clock.
        let floating = try RecurrenceSet(
            start: start, rules: [RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20260308T090000")])
        #expect(Self.starts(floating).count == 3)
        // A date with a zoned DTSTART: the last local date, whole.
        let date = try RecurrenceSet(start: start, rules: [RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20260308")])
        #expect(Self.starts(date).count == 3)
    }

    @Test func anEventStartBecomesDTSTART() throws {
        let instant = RecurrenceDSTTests.utc("2026-07-01T14:00:00Z")
        #expect(
            try RecurrenceSet.Start(eventStart: .instant(instant, timeZone: "America/Chicago"))
                == .zoned(RecurrenceDSTTests.wall(2026, 7, 1, 9, 0), Self.chicago))
        #expect(
            try RecurrenceSet.Start(eventStart: .instant(instant, timeZone: nil))
                == .zoned(RecurrenceDSTTests.wall(2026, 7, 1, 14, 0), TimeZone(identifier: "UTC")!))
        let day = CivilDate(year: 2026, month: 7, day: 1)
        #expect(try RecurrenceSet.Start(eventStart: .allDay(day)) == .allDay(day))
        let error = try #require(throws: RecurrenceError.self) {
            try RecurrenceSet.Start(eventStart: .instant(instant, timeZone: "Mars/Olympus"))
        }
        #expect(error.code == .invalidSeries && error.part == "DTSTART" && error.value == "Mars/Olympus")
    }

    @Test func aFloatingSeriesIsReadInTheCallersZone() throws {
        let set = try RecurrenceSet(
            start: .floating(RecurrenceDSTTests.wall(2026, 3, 7, 2, 30)),
            rules: [RecurrenceRule(parsing: "FREQ=DAILY;COUNT=3")])
        #expect(
            Self.starts(set, localZone: Self.chicago) == [
                "2026-03-07T08:30:00Z", "2026-03-08T08:30:00Z", "2026-03-09T07:30:00Z",
            ])
        #expect(Self.starts(set) == ["2026-03-07T02:30:00Z", "2026-03-08T02:30:00Z", "2026-03-09T02:30:00Z"])
        let first = set.instances(from: .distantPast, to: .distantFuture, localZone: Self.chicago).first
        #expect(first?.start == .instant(RecurrenceDSTTests.utc("2026-03-07T08:30:00Z"), timeZone: nil))
    }
}
