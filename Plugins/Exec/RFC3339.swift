import AlmanacCore
import Foundation

/// RFC 3339 times as the protocol writes them, without a formatter per call: almanac writes UTC
/// with `Z` (`2026-12-03T09:00:00Z`), and reads any offset, with or without fractions of a second
/// (ignored: windows and comparisons are in whole seconds).
enum RFC3339 {
    static func string(_ date: Date) -> String { UTCTimestamp.string(date) }

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
            let days = CivilDate(year: year, month: month, day: day).daysSince1970
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Date(timeIntervalSince1970: Double(seconds))
        }
    }
}
