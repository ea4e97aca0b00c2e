extension RecurrenceRule {
    /// Calls `body` with the dates the rule yields for a series whose DTSTART falls on `start`, in
    /// order, from `start` on, until `body` returns false or the periods pass `last`.
    ///
    /// COUNT and UNTIL are not applied here (the series applies them to instants). `skippingTo`
    /// starts at the period holding that date instead of DTSTART's (the caller passes it only when
    /// the rule has no COUNT, so nothing before it needs counting): an endless rule costs the
    /// periods of the window, not those since DTSTART.
    ///
    /// The periods are DTSTART's day, week (from WKST), month or year and every `interval`-th one
    /// after it. In each, a day is kept when it passes every BYxxx part given (BYMONTH, BYWEEKNO,
    /// BYYEARDAY, BYMONTHDAY, BYDAY — a numbered BYDAY counted within the month, or within the
    /// year unless BYMONTH is given), then BYSETPOS picks among the period's days. Parts left out
    /// take DTSTART's values as RFC 5545 says: WEEKLY its weekday, MONTHLY its day of the month,
    /// YEARLY its month and day, when no BYWEEKNO/BYYEARDAY/BYMONTHDAY/BYDAY narrows the period.
    public func forEachDate(
        from start: CivilDate, skippingTo: CivilDate? = nil, through last: CivilDate,
        _ body: (CivilDate) -> Bool
    ) {
        let filter = DayFilter(rule: self, start: start)
        let step = max(interval, 1)
        var k = 0
        if let target = skippingTo, target > start { k = firstPeriod(from: start, reaching: target) }
        while true {
            let (first, days) = period(k * step, from: start)
            if first > last || first.year > 9_999 { return }
            var kept = days.filter(filter.keeps)
            if !kept.isEmpty, !filter.ordinal.isEmpty {
                let marked = filter.ordinalDays(for: days[0], frequency: frequency)
                kept = kept.filter { filter.plainWeekdays.contains(Weekday($0)) || marked.contains($0) }
            }
            if !bySetPos.isEmpty { kept = Self.select(kept, positions: bySetPos) }
            for day in kept where day >= start {
                if day > last || !body(day) { return }
            }
            k += 1
        }
    }

    /// The index of the first period (counted in single periods, a multiple of `interval`) that
    /// holds `target` or comes after it.
    private func firstPeriod(from start: CivilDate, reaching target: CivilDate) -> Int {
        let step = max(interval, 1)
        let periods: Int
        switch frequency {
        case .daily: periods = target.daysSince1970 - start.daysSince1970
        case .weekly:
            periods = (target.daysSince1970 - weekStartDay(of: start).daysSince1970) / 7
        case .monthly: periods = (target.year * 12 + target.month) - (start.year * 12 + start.month)
        case .yearly: periods = target.year - start.year
        }
        return max(0, periods / step - 1)
    }

    /// The first day and the days of the period `offset` periods after DTSTART's.
    private func period(_ offset: Int, from start: CivilDate) -> (CivilDate, [CivilDate]) {
        switch frequency {
        case .daily:
            let day = start.adding(days: offset)
            return (day, [day])
        case .weekly:
            let first = weekStartDay(of: start).adding(days: 7 * offset)
            return (first, (0..<7).map { first.adding(days: $0) })
        case .monthly:
            let index = start.year * 12 + start.month - 1 + offset
            let (y, m) = (index / 12, index % 12 + 1)
            let first = CivilDate(year: y, month: m, day: 1)
            return (first, (0..<CivilDate.daysIn(month: m, year: y)).map { first.adding(days: $0) })
        case .yearly:
            let first = CivilDate(year: start.year + offset, month: 1, day: 1)
            return (first, (0..<DayFilter.yearLength(first.year)).map { first.adding(days: $0) })
        }
    }

    private func weekStartDay(of day: CivilDate) -> CivilDate {
        day.adding(days: -((Weekday(day).rawValue - weekStart.rawValue + 7) % 7))
    }

    /// BYSETPOS: the `n`th (1-based; negative from the end) of `days`, in date order, each once.
    static func select(_ days: [CivilDate], positions: [Int]) -> [CivilDate] {
        var picked = Set<CivilDate>()
        for p in positions {
            let i = p > 0 ? p - 1 : days.count + p
            if days.indices.contains(i) { picked.insert(days[i]) }
        }
        return picked.sorted()
    }
}

/// The per-day tests of one rule, with DTSTART's defaults filled in.
private struct DayFilter {
    var byMonth: Set<Int>
    var byWeekNo: Set<Int>
    var byYearDay: Set<Int>
    var byMonthDay: Set<Int>
    var plainWeekdays: Set<RecurrenceRule.Weekday>
    var ordinal: [RecurrenceRule.WeekdayNum]
    var weekStart: RecurrenceRule.Weekday
    var frequency: RecurrenceRule.Frequency
    var monthsForOrdinals: [Int]

    init(rule: RecurrenceRule, start: CivilDate) {
        byMonth = Set(rule.byMonth)
        byWeekNo = Set(rule.byWeekNo)
        byYearDay = Set(rule.byYearDay)
        byMonthDay = Set(rule.byMonthDay)
        plainWeekdays = Set(rule.byDay.filter { $0.ordinal == nil }.map(\.weekday))
        ordinal = rule.byDay.filter { $0.ordinal != nil }
        weekStart = rule.weekStart
        frequency = rule.frequency
        if rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && rule.byMonthDay.isEmpty && rule.byDay.isEmpty {
            switch rule.frequency {
            case .daily: break
            case .weekly: plainWeekdays = [RecurrenceRule.Weekday(start)]
            case .monthly: byMonthDay = [start.day]
            case .yearly:
                if byMonth.isEmpty { byMonth = [start.month] }
                byMonthDay = [start.day]
            }
        }
        monthsForOrdinals = rule.byMonth.sorted()
    }

    static func yearLength(_ year: Int) -> Int { CivilDate.daysIn(month: 2, year: year) == 29 ? 366 : 365 }

    /// The tests other than a numbered BYDAY (applied per period by the caller).
    func keeps(_ day: CivilDate) -> Bool {
        if !byMonth.isEmpty && !byMonth.contains(day.month) { return false }
        if !byMonthDay.isEmpty {
            let length = CivilDate.daysIn(month: day.month, year: day.year)
            if !byMonthDay.contains(day.day) && !byMonthDay.contains(day.day - length - 1) { return false }
        }
        if !byYearDay.isEmpty {
            let yday = day.daysSince1970 - CivilDate(year: day.year, month: 1, day: 1).daysSince1970 + 1
            if !byYearDay.contains(yday) && !byYearDay.contains(yday - Self.yearLength(day.year) - 1) { return false }
        }
        if !byWeekNo.isEmpty {
            let (week, weeks) = weekNumber(day)
            if !byWeekNo.contains(week) && !byWeekNo.contains(week - weeks - 1) { return false }
        }
        if ordinal.isEmpty && !plainWeekdays.isEmpty && !plainWeekdays.contains(RecurrenceRule.Weekday(day)) {
            return false
        }
        return true
    }

    /// The days a numbered BYDAY names in the period starting on `first`: within its month for
    /// MONTHLY; for YEARLY within each BYMONTH month, or within the year without BYMONTH.
    func ordinalDays(for first: CivilDate, frequency: RecurrenceRule.Frequency) -> Set<CivilDate> {
        var ranges: [(CivilDate, CivilDate)] = []
        func month(_ y: Int, _ m: Int) -> (CivilDate, CivilDate) {
            (
                CivilDate(year: y, month: m, day: 1),
                CivilDate(year: y, month: m, day: CivilDate.daysIn(month: m, year: y))
            )
        }
        if frequency == .monthly {
            ranges = [month(first.year, first.month)]
        } else if monthsForOrdinals.isEmpty {
            ranges = [(first, CivilDate(year: first.year, month: 12, day: 31))]
        } else {
            ranges = monthsForOrdinals.map { month(first.year, $0) }
        }
        var out = Set<CivilDate>()
        for (lo, hi) in ranges {
            for entry in ordinal {
                let n = entry.ordinal!
                let day: CivilDate
                if n > 0 {
                    let shift = (entry.weekday.rawValue - RecurrenceRule.Weekday(lo).rawValue + 7) % 7
                    day = lo.adding(days: shift + (n - 1) * 7)
                } else {
                    let shift = (RecurrenceRule.Weekday(hi).rawValue - entry.weekday.rawValue + 7) % 7
                    day = hi.adding(days: -shift + (n + 1) * 7)
                }
                if day >= lo && day <= hi { out.insert(day) }
            }
        }
        return out
    }

    /// The week number of `day` (week 1 is the first week, starting on WKST, with at least four
    /// days in the year) and the number of weeks of the year that week belongs to. Days before
    /// week 1 belong to the last week of the year before; days from next year's week 1 on, to it.
    func weekNumber(_ day: CivilDate) -> (Int, Int) {
        let thisYear = week1(day.year)
        if day < thisYear { return (weeks(day.year - 1), weeks(day.year - 1)) }
        if day >= week1(day.year + 1) { return (1, weeks(day.year + 1)) }
        return ((day.daysSince1970 - thisYear.daysSince1970) / 7 + 1, weeks(day.year))
    }

    private func week1(_ year: Int) -> CivilDate {
        let jan1 = CivilDate(year: year, month: 1, day: 1)
        let offset = (RecurrenceRule.Weekday(jan1).rawValue - weekStart.rawValue + 7) % 7
        return offset <= 3 ? jan1.adding(days: -offset) : jan1.adding(days: 7 - offset)
    }

    private func weeks(_ year: Int) -> Int { (week1(year + 1).daysSince1970 - week1(year).daysSince1970) / 7 }
}
