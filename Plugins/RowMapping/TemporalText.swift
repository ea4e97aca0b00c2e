import AlmanacCore
import Foundation

/// A date or time written as text in a column: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`
/// (`T` or a space between), optionally followed by `Z` or an offset (`+01:00`, `+0100`,
/// `+01`, with or without a space before it). Fractions of a second are dropped.
public enum TemporalText: Equatable, Sendable {
    case date(CivilDate)
    case naive(WallClock)
    /// A timestamp carrying its own offset: an instant, whatever the profile's zone.
    case instant(Date)

    public init?(_ text: String) {
        var copy = text
        guard let t = copy.withUTF8({ TemporalText(bytes: $0) }) else { return nil }
        self = t
    }

    /// The same from UTF-8 bytes (an odbc cell in the reader's buffer).
    public init?(bytes raw: UnsafeBufferPointer<UInt8>) {
        var lo = 0
        var hi = raw.count
        while hi > lo && (raw[hi - 1] == 32 || raw[hi - 1] == 9) { hi -= 1 }
        while lo < hi && (raw[lo] == 32 || raw[lo] == 9) { lo += 1 }
        let b = UnsafeBufferPointer(rebasing: raw[lo..<hi])
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard b.count >= 10, let y = digits(0, 4), b[4] == 45, let mo = digits(5, 2), b[7] == 45,
            let d = digits(8, 2), (1...12).contains(mo), (1...CivilDate.daysIn(month: mo, year: y)).contains(d)
        else { return nil }
        let date = CivilDate(year: y, month: mo, day: d)
        if b.count == 10 {
            self = .date(date)
            return
        }
        guard b[10] == 84 || b[10] == 32, let h = digits(11, 2), b.count > 13, b[13] == 58, let mi = digits(14, 2),
            h <= 23, mi <= 59
        else { return nil }
        var i = 16
        var sec = 0
        if i < b.count && b[i] == 58 {
            guard let sv = digits(i + 1, 2), sv <= 60 else { return nil }
            sec = min(sv, 59)
            i += 3
            if i < b.count && (b[i] == 46 || b[i] == 44) {
                i += 1
                while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
            }
        }
        let naive = WallClock(date: date, hour: h, minute: mi, second: sec)
        if i < b.count && b[i] == 32 { i += 1 }
        if i == b.count {
            self = .naive(naive)
            return
        }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {  // Z
            guard i + 1 == b.count else { return nil }
        } else if b[i] == 43 || b[i] == 45 {  // + or -
            let sign = b[i] == 45 ? -1 : 1
            guard let oh = digits(i + 1, 2), oh <= 18 else { return nil }
            var om = 0
            var j = i + 3
            if j < b.count && b[j] == 58 { j += 1 }
            if j < b.count {
                guard let m = digits(j, 2), m <= 59, j + 2 == b.count else { return nil }
                om = m
            }
            offset = sign * (oh * 3_600 + om * 60)
        } else {
            return nil
        }
        self = .instant(Date(timeIntervalSince1970: TimeInterval(naive.wallSeconds - offset)))
    }
}

extension TemporalText {
    /// The same value as a `TimeFormat` reading, for `EventRules.time`.
    public var parsed: ParsedTime {
        switch self {
        case .date(let d): return .date(d)
        case .naive(let w): return w.parsed
        case .instant(let i): return .instant(i)
        }
    }
}

extension WallClock {
    /// The wall clock as a naive `TimeFormat` reading (no fraction of a second).
    public var parsed: ParsedTime {
        .naive(date, secondsOfDay: hour * 3_600 + minute * 60 + second, nanoseconds: 0)
    }
}
