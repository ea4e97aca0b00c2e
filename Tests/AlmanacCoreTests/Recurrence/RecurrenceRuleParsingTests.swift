import AlmanacCore
import Foundation
import Testing

@Suite("RRULE parsing and text", .timeLimit(.minutes(10)))
struct RecurrenceRuleParsingTests {
    @Test(arguments: [
        "FREQ=DAILY",
        "FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=TU,TH;WKST=SU",
        "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
        "FREQ=MONTHLY;UNTIL=19971224;BYMONTHDAY=1,-1",
        "FREQ=MONTHLY;UNTIL=19971224T090000;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
        "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=2,3,4,5,6,7,8;BYDAY=TU",
        "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,-200",
        "FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=MO",
        "FREQ=YEARLY;BYDAY=20MO,-1FR",
    ])
    func textRoundTrips(_ text: String) throws {
        let rule = try RecurrenceRule(parsing: text)
        #expect(rule.text == text)
        #expect(try RecurrenceRule(parsing: rule.text) == rule)
    }

    @Test func partsAreReadIntoTheirFields() throws {
        let rule = try RecurrenceRule(parsing: "RRULE:freq=monthly;bysetpos=-1;byday=-1fr,2MO;until=20301231T235959Z")
        #expect(rule.frequency == .monthly)
        #expect(rule.byDay == [.init(.friday, ordinal: -1), .init(.monday, ordinal: 2)])
        #expect(rule.bySetPos == [-1])
        let end = WallTime(
            date: CivilDate(year: 2030, month: 12, day: 31), time: LocalTime(hour: 23, minute: 59, second: 59))
        #expect(rule.until == .utc(end))
        #expect(rule.text == "FREQ=MONTHLY;UNTIL=20301231T235959Z;BYDAY=-1FR,2MO;BYSETPOS=-1")
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var text: String
        var code: RecurrenceError.Code
        var part: String
        var value: String
        var testDescription: String { text }
    }

    @Test(arguments: [
        Refusal(text: "COUNT=3", code: .invalidPart, part: "FREQ", value: ""),
        Refusal(text: "FREQ=HOURLY;INTERVAL=3", code: .unsupported, part: "FREQ", value: "HOURLY"),
        Refusal(text: "FREQ=FORTNIGHTLY", code: .invalidValue, part: "FREQ", value: "FORTNIGHTLY"),
        Refusal(text: "FREQ=DAILY;BYHOUR=9", code: .unsupported, part: "BYHOUR", value: "9"),
        Refusal(text: "FREQ=DAILY;COLOR=red", code: .invalidPart, part: "COLOR", value: "red"),
        Refusal(text: "FREQ=DAILY;COUNT=2;COUNT=3", code: .invalidPart, part: "COUNT", value: "3"),
        Refusal(text: "FREQ=DAILY;COUNT=0", code: .invalidValue, part: "COUNT", value: "0"),
        Refusal(text: "FREQ=DAILY;INTERVAL=x", code: .invalidValue, part: "INTERVAL", value: "x"),
        Refusal(text: "FREQ=MONTHLY;BYMONTHDAY=0", code: .invalidValue, part: "BYMONTHDAY", value: "0"),
        Refusal(text: "FREQ=MONTHLY;BYMONTHDAY=1,-32", code: .invalidValue, part: "BYMONTHDAY", value: "-32"),
        Refusal(text: "FREQ=YEARLY;BYMONTH=13", code: .invalidValue, part: "BYMONTH", value: "13"),
        Refusal(text: "FREQ=YEARLY;BYMONTH=-1", code: .invalidValue, part: "BYMONTH", value: "-1"),
        Refusal(text: "FREQ=MONTHLY;BYDAY=XX", code: .invalidValue, part: "BYDAY", value: "XX"),
        Refusal(text: "FREQ=MONTHLY;BYDAY=0MO", code: .invalidValue, part: "BYDAY", value: "0MO"),
        Refusal(text: "FREQ=MONTHLY;BYDAY=1FR,", code: .invalidValue, part: "BYDAY", value: ""),
        Refusal(text: "FREQ=WEEKLY;BYDAY=2MO", code: .conflict, part: "BYDAY", value: "2MO"),
        Refusal(text: "FREQ=YEARLY;BYWEEKNO=3;BYDAY=1MO", code: .conflict, part: "BYDAY", value: "1MO"),
        Refusal(text: "FREQ=MONTHLY;BYWEEKNO=3", code: .conflict, part: "BYWEEKNO", value: "3"),
        Refusal(text: "FREQ=MONTHLY;BYYEARDAY=3", code: .conflict, part: "BYYEARDAY", value: "3"),
        Refusal(text: "FREQ=WEEKLY;BYMONTHDAY=3", code: .conflict, part: "BYMONTHDAY", value: "3"),
        Refusal(text: "FREQ=DAILY;BYSETPOS=1", code: .conflict, part: "BYSETPOS", value: "1"),
        Refusal(text: "FREQ=DAILY;COUNT=3;UNTIL=20300101", code: .conflict, part: "COUNT", value: "3"),
        Refusal(text: "FREQ=DAILY;UNTIL=20300230", code: .invalidValue, part: "UNTIL", value: "20300230"),
        Refusal(text: "FREQ=DAILY;UNTIL=20300101T2500", code: .invalidValue, part: "UNTIL", value: "20300101T2500"),
        Refusal(text: "FREQ=DAILY;WKST=XY", code: .invalidValue, part: "WKST", value: "XY"),
    ])
    func refusalsNameThePartAndTheValue(_ refusal: Refusal) {
        #expect {
            try RecurrenceRule(parsing: refusal.text)
        } throws: { error in
            guard let e = error as? RecurrenceError else { return false }
            return e.code == refusal.code && e.part == refusal.part && e.value == refusal.value
                && e.description.contains("\(refusal.part)=\(refusal.value)")
        }
    }

    @Test func anUnsupportedFrequencySaysWhatIsExpanded() throws {
        let error = try #require(throws: RecurrenceError.self) { try RecurrenceRule(parsing: "FREQ=MINUTELY") }
        #expect(
            error.description
                == "recurrence.unsupported: FREQ=MINUTELY: almanac expands DAILY, WEEKLY, MONTHLY and YEARLY rules only"
        )
    }

    @Test func rulesEncodeAsTheirText() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;BYDAY=MO")
        let data = try JSONEncoder().encode([rule])
        #expect(String(decoding: data, as: UTF8.self) == #"["FREQ=WEEKLY;BYDAY=MO"]"#)
        #expect(try JSONDecoder().decode([RecurrenceRule].self, from: data) == [rule])
    }
}

@Suite("RRULE dates", .timeLimit(.minutes(10)))
struct RecurrenceRuleDateTests {
    static func dates(_ rule: String, from start: CivilDate, through last: CivilDate) throws -> [String] {
        var out: [String] = []
        try RecurrenceRule(parsing: rule).forEachDate(from: start, through: last) { day in
            out.append("\(day)")
            return true
        }
        return out
    }

    /// BYSETPOS picks in the whole week (WKST to WKST), then days before DTSTART are dropped, as in
    /// a month (dateutil differs here: its first week starts at DTSTART; see DateutilAgreementTests).
    @Test func bySetPosCountsTheWholeFirstWeek() throws {
        // 2024-07-10 is a Wednesday: its week's first of TU, FR is Tuesday the 9th, before DTSTART.
        #expect(
            try Self.dates(
                "FREQ=WEEKLY;BYDAY=TU,FR;BYSETPOS=1", from: CivilDate(year: 2024, month: 7, day: 10),
                through: CivilDate(year: 2024, month: 7, day: 31)) == ["2024-07-16", "2024-07-23", "2024-07-30"])
        #expect(
            try Self.dates(
                "FREQ=MONTHLY;BYDAY=TU,FR;BYSETPOS=1", from: CivilDate(year: 2024, month: 7, day: 10),
                through: CivilDate(year: 2024, month: 9, day: 30)) == ["2024-08-02", "2024-09-03"])
    }

    /// Week numbers: week 1 is the first with four days in the year; days before it are in the
    /// last week of the year before, and late December days can be in next year's week 1.
    @Test func weekNumbersCrossYearEnds() throws {
        // 2025-01-01 is a Wednesday: ISO week 1 of 2025 is 2024-12-30 … 2025-01-05; 2026-01-01 is a
        // Thursday: week 1 of 2026 is 2025-12-29 … 2026-01-04 (late December days of 2025 match).
        #expect(
            try Self.dates(
                "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO,SU", from: CivilDate(year: 2025, month: 1, day: 1),
                through: CivilDate(year: 2026, month: 12, day: 31)) == ["2025-01-05", "2025-12-29", "2026-01-04"])
        // With WKST=SU the week of 2024-12-29 … 2025-01-04 has four days of 2025: it is 2025's week 1.
        #expect(
            try Self.dates(
                "FREQ=YEARLY;BYWEEKNO=1;BYDAY=SU;WKST=SU", from: CivilDate(year: 2024, month: 6, day: 1),
                through: CivilDate(year: 2025, month: 12, day: 31)) == ["2024-12-29"])
        #expect(
            try Self.dates(
                "FREQ=YEARLY;BYWEEKNO=1;BYDAY=SU", from: CivilDate(year: 2024, month: 6, day: 1),
                through: CivilDate(year: 2025, month: 12, day: 31)) == ["2025-01-05"])
    }
}
