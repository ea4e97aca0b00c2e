import AlmanacCore
import Foundation

/// RFC 3339 times as the protocol writes them, without a formatter per call: almanac writes UTC
/// with `Z` (`2026-12-03T09:00:00Z`), and reads any offset, with or without fractions of a second
/// (ignored: windows and comparisons are in whole seconds).
enum RFC3339 {
    static func string(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        var out = [UInt8]()
        out.reserveCapacity(20)
        func digits(_ value: Int, _ width: Int) {
            var p = 1
            for _ in 1..<width { p *= 10 }
            var v = value
            while p > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / p % 10))
                v %= p
                p /= 10
            }
        }
        digits(y, 4)
        out.append(UInt8(ascii: "-"))
        digits(m, 2)
        out.append(UInt8(ascii: "-"))
        digits(d, 2)
        out.append(UInt8(ascii: "T"))
        digits(rest / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(rest / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(rest % 60, 2)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil for anything else.
    static func date(_ text: String) -> Date? {
        var t = text
        return t.withUTF8 { b -> Date? in
            guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20,
                b[13] == 0x3A, b[16] == 0x3A
            else { return nil }
            func number(_ from: Int, _ width: Int) -> Int? {
                var v = 0
                for i in from..<from + width {
                    let c = b[i]
                    guard c >= 0x30 && c <= 0x39 else { return nil }
                    v = v * 10 + Int(c - 0x30)
                }
                return v
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year), hour < 24,
                minute < 60, second < 61
            else { return nil }
            var i = 19
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let first = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                guard i > first else { return nil }
            }
            guard i < b.count else { return nil }
            var offset = 0
            switch b[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                guard i + 1 == b.count else { return nil }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard i + 6 == b.count, b[i + 3] == 0x3A, let oh = number(i + 1, 2), let om = number(i + 4, 2),
                    oh < 24, om < 60
                else { return nil }
                offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            default: return nil
            }
            let days = daysFromCivil(year, month, day)
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Date(timeIntervalSince1970: Double(seconds))
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
