extension RecurrenceRule {
    /// Parses an RRULE value (`FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH`, with or without a leading
    /// `RRULE:`; part names in any case) and checks it against RFC 5545 §3.3.10.
    ///
    /// Throws `RecurrenceError` naming the part and the value: `.invalidPart` for an unknown or
    /// repeated part, `.invalidValue` for a malformed or out-of-range value, `.unsupported` for
    /// HOURLY/MINUTELY/SECONDLY, BYHOUR/BYMINUTE/BYSECOND and RSCALE/SKIP, `.conflict` for parts
    /// the RFC forbids together.
    public init(parsing source: String) throws {
        var body = Substring(source.trimmingCharacters(in: .whitespacesAndNewlines))
        if body.uppercased().hasPrefix("RRULE:") { body = body.dropFirst(6) }
        var seen: [String: String] = [:]
        var order: [String] = []
        for item in body.split(separator: ";", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pair[0].trimmingCharacters(in: .whitespaces).uppercased()
            guard pair.count == 2 else {
                throw RecurrenceError(.invalidPart, part: name, value: "", "a rule part is NAME=VALUE")
            }
            guard seen[name] == nil else {
                throw RecurrenceError(.invalidPart, part: name, value: String(pair[1]), "the part is given twice")
            }
            seen[name] = String(pair[1])
            order.append(name)
        }
        guard let freqText = seen["FREQ"] else {
            throw RecurrenceError(.invalidPart, part: "FREQ", value: "", "FREQ is required")
        }
        guard let frequency = Frequency(rawValue: freqText.uppercased()) else {
            if ["HOURLY", "MINUTELY", "SECONDLY"].contains(freqText.uppercased()) {
                throw RecurrenceError(
                    .unsupported, part: "FREQ", value: freqText,
                    "almanac expands DAILY, WEEKLY, MONTHLY and YEARLY rules only")
            }
            throw RecurrenceError(
                .invalidValue, part: "FREQ", value: freqText, "not one of DAILY, WEEKLY, MONTHLY, YEARLY")
        }
        self.init(frequency: frequency)
        for name in order where name != "FREQ" {
            let value = seen[name]!
            switch name {
            case "INTERVAL": interval = try Self.integer(name, value, 1...Int(Int32.max))
            case "COUNT": count = try Self.integer(name, value, 1...Int(Int32.max))
            case "UNTIL": until = try Self.until(value)
            case "BYMONTH": byMonth = try Self.integers(name, value, 1...12, negative: false)
            case "BYWEEKNO": byWeekNo = try Self.integers(name, value, 1...53, negative: true)
            case "BYYEARDAY": byYearDay = try Self.integers(name, value, 1...366, negative: true)
            case "BYMONTHDAY": byMonthDay = try Self.integers(name, value, 1...31, negative: true)
            case "BYSETPOS": bySetPos = try Self.integers(name, value, 1...366, negative: true)
            case "BYDAY": byDay = try value.split(separator: ",", omittingEmptySubsequences: false).map(Self.weekdayNum)
            case "WKST":
                guard let w = Weekday(code: value) else {
                    throw RecurrenceError(.invalidValue, part: name, value: value, "not a weekday (MO … SU)")
                }
                weekStart = w
            case "BYHOUR", "BYMINUTE", "BYSECOND", "RSCALE", "SKIP":
                throw RecurrenceError(
                    .unsupported, part: name, value: value,
                    "almanac expands date rules only; every instance has DTSTART's time of day")
            default:
                throw RecurrenceError(.invalidPart, part: name, value: value, "not an RRULE part of RFC 5545")
            }
        }
        try validate()
    }

    /// The checks of RFC 5545 §3.3.10 on parts that may not appear together; throws `.conflict`.
    public func validate() throws {
        func conflict(_ part: String, _ value: String, _ why: String) -> RecurrenceError {
            RecurrenceError(.conflict, part: part, value: value, why)
        }
        func list(_ v: [Int]) -> String { v.map(String.init).joined(separator: ",") }
        if count != nil && until != nil {
            throw conflict("COUNT", "\(count!)", "COUNT and UNTIL must not occur in the same rule")
        }
        if interval < 1 {
            throw RecurrenceError(.invalidValue, part: "INTERVAL", value: "\(interval)", "must be 1 or more")
        }
        if !byWeekNo.isEmpty && frequency != .yearly {
            throw conflict("BYWEEKNO", list(byWeekNo), "BYWEEKNO is valid only in YEARLY rules")
        }
        if !byYearDay.isEmpty && frequency != .yearly {
            throw conflict("BYYEARDAY", list(byYearDay), "BYYEARDAY is not valid in DAILY, WEEKLY or MONTHLY rules")
        }
        if !byMonthDay.isEmpty && frequency == .weekly {
            throw conflict("BYMONTHDAY", list(byMonthDay), "BYMONTHDAY is not valid in WEEKLY rules")
        }
        let text = byDay.map(\.description).joined(separator: ",")
        if byDay.contains(where: { $0.ordinal != nil }) {
            if frequency == .daily || frequency == .weekly {
                throw conflict("BYDAY", text, "a numbered BYDAY (2MO) is valid only in MONTHLY and YEARLY rules")
            }
            if frequency == .yearly && !byWeekNo.isEmpty {
                throw conflict("BYDAY", text, "a numbered BYDAY (2MO) is not valid with BYWEEKNO")
            }
        }
        if !bySetPos.isEmpty && byMonth.isEmpty && byWeekNo.isEmpty && byYearDay.isEmpty && byMonthDay.isEmpty
            && byDay.isEmpty
        {
            throw conflict("BYSETPOS", list(bySetPos), "BYSETPOS needs another BYxxx part to select from")
        }
    }

    static func integer(_ part: String, _ value: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(value), range.contains(n), value.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw RecurrenceError(
                .invalidValue, part: part, value: value, "expected a whole number from \(range.lowerBound)")
        }
        return n
    }

    static func integers(_ part: String, _ value: String, _ range: ClosedRange<Int>, negative: Bool) throws -> [Int] {
        try value.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let digits = item.first == "+" || item.first == "-" ? item.dropFirst() : item
            guard let n = Int(digits), !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }),
                range.contains(n),
                negative || item.first != "-"
            else {
                let sign = negative ? "±" : ""
                throw RecurrenceError(
                    .invalidValue, part: part, value: String(item),
                    "expected \(sign)\(range.lowerBound)…\(sign)\(range.upperBound)")
            }
            return item.first == "-" ? -n : n
        }
    }

    static func weekdayNum(_ item: Substring) throws -> WeekdayNum {
        let code = item.suffix(2)
        let prefix = item.dropLast(2)
        guard let weekday = Weekday(code: code) else {
            throw RecurrenceError(
                .invalidValue, part: "BYDAY", value: String(item), "not a weekday (MO … SU) with an optional ordinal")
        }
        if prefix.isEmpty { return WeekdayNum(weekday) }
        guard let ordinal = try? integers("BYDAY", String(prefix), 1...53, negative: true)[0] else {
            throw RecurrenceError(
                .invalidValue, part: "BYDAY", value: String(item), "the ordinal must be ±1…±53 (2MO, -1FR)")
        }
        return WeekdayNum(weekday, ordinal: ordinal)
    }

    /// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ`.
    static func until(_ value: String) throws -> Until {
        let bad = RecurrenceError(
            .invalidValue, part: "UNTIL", value: value, "expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ")
        let chars = Array(value.uppercased())
        func number(_ r: Range<Int>) throws -> Int {
            guard r.upperBound <= chars.count, let n = Int(String(chars[r])),
                chars[r].allSatisfy({ ("0"..."9").contains($0) })
            else {
                throw bad
            }
            return n
        }
        let (y, m, d) = (try number(0..<4), try number(4..<6), try number(6..<8))
        guard (1...12).contains(m), (1...CivilDate.daysIn(month: m, year: y)).contains(d) else { throw bad }
        let date = CivilDate(year: y, month: m, day: d)
        if chars.count == 8 { return .date(date) }
        guard chars.count == 15 || (chars.count == 16 && chars[15] == "Z"), chars[8] == "T" else { throw bad }
        let (hh, mm, ss) = (try number(9..<11), try number(11..<13), try number(13..<15))
        guard hh < 24, mm < 60, ss < 60 else { throw bad }
        let wall = WallTime(date: date, time: LocalTime(hour: hh, minute: mm, second: ss))
        return chars.count == 16 ? .utc(wall) : .floating(wall)
    }
}
