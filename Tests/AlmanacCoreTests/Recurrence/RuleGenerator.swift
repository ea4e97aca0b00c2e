import AlmanacCore
import Foundation

/// Seeded random recurrence rules for the dateutil comparison: every frequency, INTERVAL, COUNT,
/// UNTIL (UTC, as RFC 5545 requires with a zoned DTSTART) or only the window as the bound, and
/// the BYxxx parts each frequency allows, with DTSTART times chosen to fall into the DST gaps and
/// overlaps of Chicago, Berlin and Lord Howe. Rules that could never yield an instance are not
/// made (dateutil would search for one until the year 9999).
struct RuleGenerator {
    struct Sample {
        var start: WallTime
        var rule: RecurrenceRule
        var rdates: [WallTime]
        var exdates: [WallTime]
        /// UTC seconds, end exclusive.
        var window: Range<Int>
    }

    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random() % UInt64(range.count))
    }

    private mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }

    private mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    private mutating func some(_ values: [Int], _ count: ClosedRange<Int>) -> [Int] {
        var out: [Int] = []
        for _ in 0..<int(count) {
            let v = pick(values)
            if !out.contains(v) { out.append(v) }
        }
        return out
    }

    private mutating func weekdays(_ count: ClosedRange<Int>) -> [RecurrenceRule.WeekdayNum] {
        some(Array(0...6), count).map { .init(RecurrenceRule.Weekday(rawValue: $0)!) }
    }

    /// Times on both sides of and inside the DST changes of the three zones.
    static let times = [
        (0, 0), (1, 0), (1, 30), (1, 45), (2, 0), (2, 15), (2, 30), (2, 45), (3, 0), (9, 0), (12, 30), (23, 30),
    ]

    mutating func next() -> Sample {
        // Two in five start in a month where one of the three zones changes its clocks.
        let day =
            chance(40)
            ? CivilDate(year: int(2024...2027), month: pick([3, 4, 10, 11]), day: int(1...28))
            : CivilDate(year: 2024, month: 1, day: 1).adding(days: int(0...1_460))
        let (h, m) = pick(Self.times)
        let start = WallTime(date: day, time: LocalTime(hour: h, minute: m))
        let frequency = pick(RecurrenceRule.Frequency.allCases)
        var rule = RecurrenceRule(frequency: frequency)
        if chance(35) { rule.interval = int(2...4) }
        if chance(25) { rule.weekStart = RecurrenceRule.Weekday(rawValue: int(0...6))! }
        let monthDays = Array(1...28) + Array(-28...(-1))
        switch frequency {
        case .daily:
            if chance(40) { rule.byMonth = some(Array(1...12), 1...5) }
            if chance(30) { rule.byMonthDay = some(monthDays, 1...6) }
            if chance(40) { rule.byDay = weekdays(1...5) }
            if chance(15) && (!rule.byMonth.isEmpty || !rule.byDay.isEmpty) { rule.bySetPos = [pick([1, -1])] }
        case .weekly:
            if chance(70) { rule.byDay = weekdays(1...4) }
            if chance(25) { rule.byMonth = some(Array(1...12), 2...6) }
            if chance(20) && rule.byDay.count >= 2 { rule.bySetPos = [pick([1, -1, 2])] }
        case .monthly:
            switch int(0...4) {
            case 0: rule.byMonthDay = some(Array(1...31) + Array(-31...(-1)), 1...4)
            case 1: rule.byDay = weekdays(1...3)
            case 2:
                rule.byDay = some([1, 2, 3, 4, -1, -2], 1...2).map {
                    .init(RecurrenceRule.Weekday(rawValue: int(0...6))!, ordinal: $0)
                }
            case 3:
                rule.byDay = weekdays(1...3)
                rule.byMonthDay = some(Array(1...28), 3...8)
            default: break
            }
            if chance(20) { rule.byMonth = some(Array(1...12), 3...8) }
            if chance(30) && rule.byDay.count + rule.byMonthDay.count >= 2 {
                rule.bySetPos = some([1, 2, -1, -2], 1...2)
            }
        case .yearly:
            switch int(0...6) {
            case 0: rule.byMonth = some(Array(1...12), 1...3)
            case 1:
                rule.byMonth = some(Array(1...12), 1...3)
                rule.byDay = weekdays(1...2)
            case 2:
                rule.byMonth = some(Array(1...12), 1...3)
                rule.byDay = [
                    .init(RecurrenceRule.Weekday(rawValue: int(0...6))!, ordinal: pick([1, 2, 3, 4, -1, -2]))
                ]
            case 3:
                rule.byDay = [
                    .init(
                        RecurrenceRule.Weekday(rawValue: int(0...6))!, ordinal: pick([1, 5, 20, 40, 52, -1, -10, -52]))
                ]
            case 4: rule.byYearDay = some(Array(1...366) + Array(-366...(-1)), 1...3)
            case 5:
                rule.byWeekNo = some(Array(1...53) + Array(-53...(-1)), 1...3)
                if chance(70) { rule.byDay = weekdays(1...3) }
            default:
                rule.byMonth = some(Array(1...12), 1...2)
                rule.byMonthDay = some(monthDays, 1...2)
            }
            if chance(20) && !rule.byDay.isEmpty { rule.bySetPos = [pick([1, -1])] }
        }
        let windowStart = (day.daysSince1970 + int(-60...400)) * 86_400 + int(0...86_399)
        let windowEnd = windowStart + int(30...1_500) * 86_400
        switch int(0...2) {
        case 0: rule.count = int(1...60)
        case 1:
            let until = day.adding(days: int(20...1_200))
            rule.until = .utc(
                WallTime(
                    date: until, time: LocalTime(hour: int(0...23), minute: pick([0, 30]), second: pick([0, 59]))))
        default: break
        }
        var rdates: [WallTime] = []
        var exdates: [WallTime] = []
        if chance(25) {
            for _ in 0..<int(1...3) {
                let (rh, rm) = pick(Self.times)
                rdates.append(WallTime(date: day.adding(days: int(1...400)), time: LocalTime(hour: rh, minute: rm)))
            }
            // EXDATEs on days a DAILY or WEEKLY rule is likely to yield, at DTSTART's time.
            for _ in 0..<int(1...3) {
                exdates.append(WallTime(date: day.adding(days: 7 * int(0...30)), time: start.time))
            }
        }
        return Sample(start: start, rule: rule, rdates: rdates, exdates: exdates, window: windowStart..<windowEnd)
    }
}
