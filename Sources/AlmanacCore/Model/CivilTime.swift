import Foundation

/// A calendar date with no time zone (an all-day event's day, a `date` column).
public struct CivilDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; returns nil for anything else or an impossible date.
    public init?(iso string: some StringProtocol) {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...CivilDate.daysIn(month: m, year: y)).contains(d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The date `days` later (or earlier, when negative).
    public func adding(days: Int) -> CivilDate { CivilDate(daysSince1970: daysSince1970 + days) }

    /// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days-from-civil).
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (negative: before).
    public init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: doy - (153 * mp + 2) / 5 + 1)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the UTC timestamp almanac writes on its wires (the control API's
/// JSON, the exec protocol), made without a formatter.
public enum UTCTimestamp {
    /// Appends the timestamp of `seconds` since 1970-01-01T00:00:00Z (years 0 to 9999).
    public static func append(secondsSince1970 seconds: Int, to out: inout [UInt8]) {
        let ofDay = (seconds % 86_400 + 86_400) % 86_400
        let date = CivilDate(daysSince1970: (seconds - ofDay) / 86_400)
        func digits(_ value: Int, _ width: Int) {
            var place = 1
            for _ in 1..<width { place *= 10 }
            while place > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / place % 10))
                place /= 10
            }
        }
        digits(date.year, 4)
        out.append(UInt8(ascii: "-"))
        digits(date.month, 2)
        out.append(UInt8(ascii: "-"))
        digits(date.day, 2)
        out.append(UInt8(ascii: "T"))
        digits(ofDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(ofDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(ofDay % 60, 2)
        out.append(UInt8(ascii: "Z"))
    }

    /// The timestamp of `date`, to the second below.
    public static func string(_ date: Date) -> String {
        var out = [UInt8]()
        out.reserveCapacity(20)
        append(secondsSince1970: Int(date.timeIntervalSince1970.rounded(.down)), to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// A wall-clock time of day with no date and no zone (`at = ["04:00"]`, a `time` column).
public struct LocalTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(hour: Int, minute: Int, second: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Parses `HH:MM` or `HH:MM:SS` (24-hour clock).
    public init?(string: some StringProtocol) {
        let parts = string.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m)
        else { return nil }
        var s = 0
        if parts.count == 3 {
            guard let v = Int(parts[2]), (0...59).contains(v) else { return nil }
            s = v
        }
        self.init(hour: h, minute: m, second: s)
    }

    public var description: String {
        second == 0 ? String(format: "%02d:%02d", hour, minute) : String(format: "%02d:%02d:%02d", hour, minute, second)
    }

    public static func < (a: LocalTime, b: LocalTime) -> Bool {
        (a.hour, a.minute, a.second) < (b.hour, b.minute, b.second)
    }
}
