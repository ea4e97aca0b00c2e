import AlmanacCore
import Foundation
import Testing

/// The RRULE examples of RFC 5545 §3.8.5.3, expected sets written from the RFC's text (all at
/// 09:00 America/New_York; the RFC labels each group EDT or EST, which fixes the instant).
/// "Forever" rules are expanded up to the day after the last date the RFC lists.
@Suite("RFC 5545 §3.8.5.3 examples", .timeLimit(.minutes(10)))
struct RFC5545ExampleTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var name: String
        var dtstart: String
        var rule: String
        /// `EDT 1997-09: 2-11,13` lines: zone label, year-month, days (ranges allowed).
        var expected: [String]
        var exdates: [String] = []
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        Example(name: "daily, 10", dtstart: "19970902", rule: "FREQ=DAILY;COUNT=10", expected: ["EDT 1997-09: 2-11"]),
        Example(
            name: "daily until Dec 24", dtstart: "19970902", rule: "FREQ=DAILY;UNTIL=19971224T000000Z",
            expected: [
                "EDT 1997-09: 2-30", "EDT 1997-10: 1-25", "EST 1997-10: 26-31", "EST 1997-11: 1-30",
                "EST 1997-12: 1-23",
            ]),
        Example(
            name: "every other day", dtstart: "19970902", rule: "FREQ=DAILY;INTERVAL=2",
            expected: [
                "EDT 1997-09: 2,4,6,8,10,12,14,16,18,20,22,24,26,28,30", "EDT 1997-10: 2,4,6,8,10,12,14,16,18,20,22,24",
                "EST 1997-10: 26,28,30", "EST 1997-11: 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29", "EST 1997-12: 1,3",
            ]),
        Example(
            name: "every 10 days, 5", dtstart: "19970902", rule: "FREQ=DAILY;INTERVAL=10;COUNT=5",
            expected: ["EDT 1997-09: 2,12,22", "EDT 1997-10: 2,12"]),
        Example(
            name: "every day in January (yearly)", dtstart: "19980101",
            rule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
            expected: ["EST 1998-01: 1-31", "EST 1999-01: 1-31", "EST 2000-01: 1-31"]),
        Example(
            name: "every day in January (daily)", dtstart: "19980101",
            rule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
            expected: ["EST 1998-01: 1-31", "EST 1999-01: 1-31", "EST 2000-01: 1-31"]),
        Example(
            name: "weekly, 10", dtstart: "19970902", rule: "FREQ=WEEKLY;COUNT=10",
            expected: ["EDT 1997-09: 2,9,16,23,30", "EDT 1997-10: 7,14,21", "EST 1997-10: 28", "EST 1997-11: 4"]),
        Example(
            name: "weekly until Dec 24", dtstart: "19970902", rule: "FREQ=WEEKLY;UNTIL=19971224T000000Z",
            expected: [
                "EDT 1997-09: 2,9,16,23,30", "EDT 1997-10: 7,14,21", "EST 1997-10: 28", "EST 1997-11: 4,11,18,25",
                "EST 1997-12: 2,9,16,23",
            ]),
        Example(
            name: "every other week", dtstart: "19970902", rule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
            expected: [
                "EDT 1997-09: 2,16,30", "EDT 1997-10: 14", "EST 1997-10: 28", "EST 1997-11: 11,25",
                "EST 1997-12: 9,23", "EST 1998-01: 6,20", "EST 1998-02: 3,17",
            ]),
        Example(
            name: "TU,TH for five weeks (until)", dtstart: "19970902",
            rule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
            expected: ["EDT 1997-09: 2,4,9,11,16,18,23,25,30", "EDT 1997-10: 2"]),
        Example(
            name: "TU,TH for five weeks (count)", dtstart: "19970902", rule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
            expected: ["EDT 1997-09: 2,4,9,11,16,18,23,25,30", "EDT 1997-10: 2"]),
        Example(
            name: "every other week MO,WE,FR", dtstart: "19970901",
            rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
            expected: [
                "EDT 1997-09: 1,3,5,15,17,19,29", "EDT 1997-10: 1,3,13,15,17", "EST 1997-10: 27,29,31",
                "EST 1997-11: 10,12,14,24,26,28", "EST 1997-12: 8,10,12,22",
            ]),
        Example(
            name: "every other week TU,TH, 8", dtstart: "19970902",
            rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
            expected: ["EDT 1997-09: 2,4,16,18,30", "EDT 1997-10: 2,14,16"]),
        Example(
            name: "first Friday, 10", dtstart: "19970905", rule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
            expected: [
                "EDT 1997-09: 5", "EDT 1997-10: 3", "EST 1997-11: 7", "EST 1997-12: 5", "EST 1998-01: 2",
                "EST 1998-02: 6", "EST 1998-03: 6", "EST 1998-04: 3", "EDT 1998-05: 1", "EDT 1998-06: 5",
            ]),
        Example(
            name: "first Friday until Dec 24", dtstart: "19970905",
            rule: "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
            expected: ["EDT 1997-09: 5", "EDT 1997-10: 3", "EST 1997-11: 7", "EST 1997-12: 5"]),
        Example(
            name: "first and last Sunday, every other month", dtstart: "19970907",
            rule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
            expected: [
                "EDT 1997-09: 7,28", "EST 1997-11: 2,30", "EST 1998-01: 4,25", "EST 1998-03: 1,29",
                "EDT 1998-05: 3,31",
            ]),
        Example(
            name: "second-to-last Monday, 6", dtstart: "19970922", rule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
            expected: [
                "EDT 1997-09: 22", "EDT 1997-10: 20", "EST 1997-11: 17", "EST 1997-12: 22", "EST 1998-01: 19",
                "EST 1998-02: 16",
            ]),
        Example(
            name: "third-to-last day", dtstart: "19970928", rule: "FREQ=MONTHLY;BYMONTHDAY=-3",
            expected: [
                "EDT 1997-09: 28", "EST 1997-10: 29", "EST 1997-11: 28", "EST 1997-12: 29", "EST 1998-01: 29",
                "EST 1998-02: 26",
            ]),
        Example(
            name: "2nd and 15th, 10", dtstart: "19970902", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
            expected: [
                "EDT 1997-09: 2,15", "EDT 1997-10: 2,15", "EST 1997-11: 2,15", "EST 1997-12: 2,15",
                "EST 1998-01: 2,15",
            ]),
        Example(
            name: "first and last day, 10", dtstart: "19970930", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
            expected: [
                "EDT 1997-09: 30", "EDT 1997-10: 1", "EST 1997-10: 31", "EST 1997-11: 1,30", "EST 1997-12: 1,31",
                "EST 1998-01: 1,31", "EST 1998-02: 1",
            ]),
        Example(
            name: "every 18 months, 10th to 15th", dtstart: "19970910",
            rule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
            expected: ["EDT 1997-09: 10-15", "EST 1999-03: 10-13"]),
        Example(
            name: "every Tuesday, every other month", dtstart: "19970902", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
            expected: [
                "EDT 1997-09: 2,9,16,23,30", "EST 1997-11: 4,11,18,25", "EST 1998-01: 6,13,20,27",
                "EST 1998-03: 3,10,17,24,31",
            ]),
        Example(
            name: "June and July, 10", dtstart: "19970610", rule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
            expected: (1997...2001).flatMap { ["EDT \($0)-06: 10", "EDT \($0)-07: 10"] }),
        Example(
            name: "every other year Jan-Mar, 10", dtstart: "19970310",
            rule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
            expected: ["EST 1997-03: 10"]
                + [1999, 2001, 2003].flatMap { ["EST \($0)-01: 10", "EST \($0)-02: 10", "EST \($0)-03: 10"] }),
        Example(
            name: "every third year, days 1, 100, 200", dtstart: "19970101",
            rule: "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
            expected: [
                "EST 1997-01: 1", "EDT 1997-04: 10", "EDT 1997-07: 19", "EST 2000-01: 1", "EDT 2000-04: 9",
                "EDT 2000-07: 18", "EST 2003-01: 1", "EDT 2003-04: 10", "EDT 2003-07: 19", "EST 2006-01: 1",
            ]),
        Example(
            name: "20th Monday", dtstart: "19970519", rule: "FREQ=YEARLY;BYDAY=20MO",
            expected: ["EDT 1997-05: 19", "EDT 1998-05: 18", "EDT 1999-05: 17"]),
        Example(
            name: "Monday of week 20", dtstart: "19970512", rule: "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
            expected: ["EDT 1997-05: 12", "EDT 1998-05: 11", "EDT 1999-05: 17"]),
        Example(
            name: "Thursdays in March", dtstart: "19970313", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
            expected: ["EST 1997-03: 13,20,27", "EST 1998-03: 5,12,19,26", "EST 1999-03: 4,11,18,25"]),
        Example(
            name: "Thursdays in June-August", dtstart: "19970605", rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
            expected: [
                "EDT 1997-06: 5,12,19,26", "EDT 1997-07: 3,10,17,24,31", "EDT 1997-08: 7,14,21,28",
                "EDT 1998-06: 4,11,18,25", "EDT 1998-07: 2,9,16,23,30", "EDT 1998-08: 6,13,20,27",
                "EDT 1999-06: 3,10,17,24", "EDT 1999-07: 1,8,15,22,29", "EDT 1999-08: 5,12,19,26",
            ]),
        Example(
            name: "Friday the 13th (DTSTART excluded)", dtstart: "19970902",
            rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
            expected: ["EST 1998-02: 13", "EST 1998-03: 13", "EST 1998-11: 13", "EDT 1999-08: 13", "EDT 2000-10: 13"],
            exdates: ["19970902"]),
        Example(
            name: "first Saturday after the first Sunday", dtstart: "19970913",
            rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
            expected: [
                "EDT 1997-09: 13", "EDT 1997-10: 11", "EST 1997-11: 8", "EST 1997-12: 13", "EST 1998-01: 10",
                "EST 1998-02: 7", "EST 1998-03: 7", "EDT 1998-04: 11", "EDT 1998-05: 9", "EDT 1998-06: 13",
            ]),
        Example(
            name: "US election day", dtstart: "19961105",
            rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
            expected: ["EST 1996-11: 5", "EST 2000-11: 7", "EST 2004-11: 2"]),
        Example(
            name: "third TU/WE/TH, 3", dtstart: "19970904", rule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
            expected: ["EDT 1997-09: 4", "EDT 1997-10: 7", "EST 1997-11: 6"]),
        Example(
            name: "second-to-last weekday", dtstart: "19970929", rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
            expected: [
                "EDT 1997-09: 29", "EST 1997-10: 30", "EST 1997-11: 27", "EST 1997-12: 30", "EST 1998-01: 29",
                "EST 1998-02: 26", "EST 1998-03: 30",
            ]),
        Example(
            name: "WKST=MO", dtstart: "19970805", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
            expected: ["EDT 1997-08: 5,10,19,24"]),
        Example(
            name: "WKST=SU", dtstart: "19970805", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
            expected: ["EDT 1997-08: 5,17,19,31"]),
        Example(
            name: "February 30 ignored", dtstart: "20070115", rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
            expected: ["EST 2007-01: 15,30", "EST 2007-02: 15", "EDT 2007-03: 15,30"]),
    ]

    static let newYork = TimeZone(identifier: "America/New_York")!

    /// The instants an `expected` list denotes: 09:00 on each day, at UTC-4 (EDT) or UTC-5 (EST).
    static func instants(_ lines: [String]) -> [Date] {
        lines.flatMap { line -> [Date] in
            let (label, rest) = (line.prefix(3), line.dropFirst(4))
            let halves = rest.split(separator: ":")
            let ym = halves[0].split(separator: "-").map { Int($0)! }
            let offset = label == "EDT" ? 4 : 5
            return halves[1].split(separator: ",").flatMap { item -> [Date] in
                let bounds = item.trimmingCharacters(in: .whitespaces).split(separator: "-").map { Int($0)! }
                return (bounds[0]...bounds.last!).map { day in
                    let d = CivilDate(year: ym[0], month: ym[1], day: day)
                    return Date(timeIntervalSince1970: Double(d.daysSince1970 * 86_400 + (9 + offset) * 3_600))
                }
            }
        }
    }

    static func wall(_ basic: String) -> WallTime {
        let n = Array(basic).map { Int(String($0))! }
        let date = CivilDate(
            year: n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3], month: n[4] * 10 + n[5], day: n[6] * 10 + n[7])
        return WallTime(date: date, time: LocalTime(hour: 9, minute: 0))
    }

    @Test(arguments: examples)
    func expandsAsTheRFCLists(_ example: Example) throws {
        let expected = Self.instants(example.expected)
        let rule = try RecurrenceRule(parsing: example.rule)
        let set = try RecurrenceSet(
            start: .zoned(Self.wall(example.dtstart), Self.newYork), duration: 3_600, rules: [rule],
            exdates: example.exdates.map { .local(Self.wall($0)) })
        let from = Date(timeIntervalSince1970: 0)
        let to = expected.last!.addingTimeInterval(86_400)
        let got = set.instances(from: from, to: to)
        #expect(got.map { $0.start.date(in: .gmt) } == expected)
        for instance in got {
            let length = instance.end.map { $0.date(in: .gmt).timeIntervalSince(instance.start.date(in: .gmt)) }
            #expect(length == 3_600)
        }
        #expect(got.allSatisfy { if case .instant(_, "America/New_York") = $0.start { true } else { false } })
    }

    /// The rules whose sets the RFC lists without an end are endless: a window far later still has
    /// instances, found without walking from DTSTART.
    @Test func foreverRulesGoOnAndStartAtTheWindow() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=YEARLY;BYDAY=20MO")
        let set = try RecurrenceSet(start: .zoned(Self.wall("19970519"), Self.newYork), rules: [rule])
        let from = Date(timeIntervalSince1970: Double(CivilDate(year: 2400, month: 1, day: 1).daysSince1970 * 86_400))
        let got = set.instances(from: from, to: from.addingTimeInterval(366 * 86_400))
        // 2400-05-15 is the 20th Monday of 2400 (Jan 3 is its first); New York is at UTC-4 then.
        #expect(got.map { $0.start.date(in: .gmt) } == Self.instants(["EDT 2400-05: 15"]))
    }
}
