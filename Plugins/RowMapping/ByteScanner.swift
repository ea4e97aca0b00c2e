import AlmanacCore
import Foundation

/// Reads dates and times from UTF-8 bytes without allocating. Used by `TimeFormat.parse`.
struct ByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    var atEnd: Bool { i == bytes.count }

    private mutating func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        i += 1
        return true
    }

    /// Exactly `min…max` ASCII digits as a number.
    private mutating func digits(min: Int, max: Int) -> Int? {
        var value = 0
        var n = 0
        while n < max, let b = peek(), b >= 0x30, b <= 0x39 {
            value = value * 10 + Int(b - 0x30)
            i += 1
            n += 1
        }
        return n >= min ? value : nil
    }

    /// Nanoseconds from 1–9 fraction digits (further digits are read and ignored).
    private mutating func fraction() -> Int? {
        var value = 0
        var n = 0
        while let b = peek(), b >= 0x30, b <= 0x39 {
            if n < 9 { value = value * 10 + Int(b - 0x30) }
            i += 1
            n += 1
        }
        guard n > 0 else { return nil }
        if n < 9 { for _ in n..<9 { value *= 10 } }
        return value
    }

    /// `Z`, `±HH`, `±HHMM` or `±HH:MM` as seconds east of UTC.
    private mutating func offset() -> Int? {
        if take(0x5A) { return 0 }
        guard let sign = peek(), sign == 0x2B || sign == 0x2D else { return nil }
        i += 1
        guard let h = digits(min: 2, max: 2), h <= 18 else { return nil }
        var m = 0
        if take(0x3A) {
            guard let v = digits(min: 2, max: 2) else { return nil }
            m = v
        } else if let v = digits(min: 2, max: 2) {
            m = v
        }
        guard m < 60 else { return nil }
        return (sign == 0x2D ? -1 : 1) * (h * 3600 + m * 60)
    }

    private static func date(_ y: Int, _ m: Int, _ d: Int) -> CivilDate? {
        guard (1...12).contains(m), (1...CivilDate.daysIn(month: m, year: y)).contains(d) else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    private static func finish(_ date: CivilDate, _ h: Int, _ m: Int, _ s: Int, _ nanos: Int, _ offset: Int?)
        -> ParsedTime?
    {
        guard h <= 24, m < 60, s < 61 else { return nil }
        if h == 24 && (m != 0 || s != 0) { return nil }
        let secs = h * 3600 + m * 60 + min(s, 59)
        guard let offset else { return .naive(date, secondsOfDay: secs, nanoseconds: nanos) }
        let utc = date.daysSince1970 * 86_400 + secs - offset
        return .instant(Date(timeIntervalSince1970: Double(utc) + Double(nanos) / 1e9))
    }

    /// `iso8601()` for its commonest shapes, read at fixed places without a scan: exactly
    /// `YYYY-MM-DD`, or that, `T`/`t`/a space and `HH:MM` or `HH:MM:SS`. Nil for any other text
    /// (`iso8601()` then decides, as for these shapes when a value is out of range).
    static func quickISO8601(_ b: UnsafeBufferPointer<UInt8>) -> ParsedTime? {
        let n = b.count
        guard n == 10 || n == 16 || n == 19, let p = b.baseAddress else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func two(_ i: Int) -> Int {
            let hi = p[i] &- 0x30
            let lo = p[i + 1] &- 0x30
            bad |= (hi > 9 ? 1 : 0) | (lo > 9 ? 1 : 0)
            return Int(hi) * 10 + Int(lo)
        }
        let y = two(0) * 100 + two(2)
        let mo = two(5)
        let d = two(8)
        guard bad == 0, p[4] == 0x2D, p[7] == 0x2D, let date = ByteScanner.date(y, mo, d) else { return nil }
        if n == 10 { return .date(date) }
        let t = p[10]
        guard t == 0x54 || t == 0x74 || t == 0x20, p[13] == 0x3A else { return nil }
        let h = two(11)
        let mi = two(14)
        var s = 0
        if n == 19 {
            guard p[16] == 0x3A else { return nil }
            s = two(17)
        }
        guard bad == 0 else { return nil }
        return ByteScanner.finish(date, h, mi, s, 0, nil)
    }

    /// `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fff]]` and an offset.
    mutating func iso8601() -> ParsedTime? {
        guard let y = digits(min: 4, max: 4), take(0x2D), let mo = digits(min: 2, max: 2), take(0x2D),
            let d = digits(min: 2, max: 2), let date = ByteScanner.date(y, mo, d)
        else { return nil }
        if atEnd { return .date(date) }
        guard take(0x54) || take(0x74) || take(0x20) else { return nil }
        guard let h = digits(min: 2, max: 2), take(0x3A), let mi = digits(min: 2, max: 2) else { return nil }
        var s = 0
        var nanos = 0
        if take(0x3A) {
            guard let v = digits(min: 2, max: 2) else { return nil }
            s = v
            if take(0x2E) || take(0x2C) {
                guard let f = fraction() else { return nil }
                nanos = f
            }
        }
        var off: Int?
        if !atEnd {
            _ = take(0x20)
            guard let o = offset() else { return nil }
            off = o
        }
        return ByteScanner.finish(date, h, mi, s, nanos, off)
    }

    /// An integer or decimal Unix timestamp, divided by `scale`.
    mutating func unix(scale: Double) -> ParsedTime? {
        let negative = take(0x2D)
        guard let whole = digits(min: 1, max: 18) else { return nil }
        var value = Double(whole)
        if take(0x2E) {
            guard let f = fraction() else { return nil }
            value += Double(f) / 1e9
        }
        return .instant(Date(timeIntervalSince1970: (negative ? -value : value) / scale))
    }

    mutating func pattern(_ tokens: [TimeFormat.Token]) -> ParsedTime? {
        var y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0, nanos = 0
        var pm: Bool?
        var twelve = false
        var off: Int?
        var hasTime = false
        for t in tokens {
            switch t {
            case .year4: guard let v = digits(min: 4, max: 4) else { return nil }; y = v
            case .year2: guard let v = digits(min: 2, max: 2) else { return nil }; y = v < 70 ? 2000 + v : 1900 + v
            case .month(let n): guard let v = digits(min: n, max: 2) else { return nil }; mo = v
            case .monthName:
                guard i + 3 <= bytes.count else { return nil }
                let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<i + 3]), as: UTF8.self)
                guard let idx = TimeFormat.monthNames.firstIndex(where: { $0.lowercased() == word.lowercased() })
                else { return nil }
                mo = idx + 1
                i += 3
            case .day(let n): guard let v = digits(min: n, max: 2) else { return nil }; d = v
            case .hour24(let n): guard let v = digits(min: n, max: 2) else { return nil }; h = v; hasTime = true
            case .hour12(let n):
                guard let v = digits(min: n, max: 2), (1...12).contains(v) else { return nil }
                h = v
                twelve = true
                hasTime = true
            case .minute(let n): guard let v = digits(min: n, max: 2) else { return nil }; mi = v
            case .second(let n): guard let v = digits(min: n, max: 2) else { return nil }; s = v
            case .fraction: guard let v = fraction() else { return nil }; nanos = v
            case .ampm:
                guard i + 2 <= bytes.count else { return nil }
                let a = bytes[i] | 0x20
                let m = bytes[i + 1] | 0x20
                guard m == 0x6D, a == 0x61 || a == 0x70 else { return nil }
                pm = a == 0x70
                i += 2
            case .offset: guard let v = offset() else { return nil }; off = v
            case .literal(let lit):
                for b in lit { guard take(b) else { return nil } }
            }
        }
        guard let date = ByteScanner.date(y, mo, d) else { return nil }
        if !hasTime { return .date(date) }
        if twelve { h = (h % 12) + ((pm ?? false) ? 12 : 0) }
        return ByteScanner.finish(date, h, mi, s, nanos, off)
    }
}
