import AlmanacCore
import Foundation

/// A date or date-time read from a file, before the profile's zone is applied.
public enum ParsedTime: Hashable, Sendable {
    /// A date with no time (`2026-03-02`): an all-day value.
    case date(CivilDate)
    /// A wall-clock time with no zone: read in the profile's zone.
    case naive(CivilDate, secondsOfDay: Int, nanoseconds: Int)
    /// A time with an explicit offset or `Z`, or a Unix timestamp.
    case instant(Date)
}

/// How a date/time field is written in a file: ISO 8601 (the default), Unix seconds or
/// milliseconds, or a pattern such as `dd/MM/yyyy HH:mm` (letters: `yyyy yy M MM MMM d dd H HH
/// h hh m mm s ss S… a X`; text in single quotes is literal).
public struct TimeFormat: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable { case iso8601, unixSeconds, unixMilliseconds, pattern([Token]) }

    enum Token: Hashable, Sendable {
        case year4, year2, month(Int), monthName, day(Int), hour24(Int), hour12(Int), minute(Int), second(Int)
        case fraction, ampm, offset, literal([UInt8])
    }

    let kind: Kind
    public let description: String

    public static let iso8601 = TimeFormat(kind: .iso8601, description: "iso8601")

    private init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    /// Compiles `spec` ("iso8601", "unix", "unix_ms" or a pattern). Throws a message naming the
    /// offending letter.
    public init(_ spec: String) throws(FormatError) {
        switch spec {
        case "iso8601", "": self = .iso8601
        case "unix": self.init(kind: .unixSeconds, description: spec)
        case "unix_ms": self.init(kind: .unixMilliseconds, description: spec)
        default: self.init(kind: .pattern(try TimeFormat.compile(spec)), description: spec)
        }
    }

    public struct FormatError: Error, Sendable { public var message: String }

    private static func compile(_ spec: String) throws(FormatError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(spec)
        var i = 0
        func literal(_ s: String) {
            if case .literal(let prev)? = tokens.last {
                tokens[tokens.count - 1] = .literal(prev + Array(s.utf8))
            } else {
                tokens.append(.literal(Array(s.utf8)))
            }
        }
        while i < chars.count {
            let c = chars[i]
            if c == "'" {
                var j = i + 1
                var text = ""
                while j < chars.count {
                    if chars[j] == "'" {
                        if j + 1 < chars.count && chars[j + 1] == "'" { text.append("'"); j += 2; continue }
                        break
                    }
                    text.append(chars[j])
                    j += 1
                }
                literal(text.isEmpty ? "'" : text)
                i = j + 1
                continue
            }
            guard c.isASCII, c.isLetter else { literal(String(c)); i += 1; continue }
            var n = 1
            while i + n < chars.count && chars[i + n] == c { n += 1 }
            let token: Token?
            switch (c, n) {
            case ("y", 4): token = .year4
            case ("y", 2): token = .year2
            case ("M", 1...2): token = .month(n)
            case ("M", 3): token = .monthName
            case ("d", 1...2): token = .day(n)
            case ("H", 1...2): token = .hour24(n)
            case ("h", 1...2): token = .hour12(n)
            case ("m", 1...2): token = .minute(n)
            case ("s", 1...2): token = .second(n)
            case ("S", _): token = .fraction
            case ("a", 1): token = .ampm
            case ("X", 1...3), ("x", 1...3), ("Z", 1...3): token = .offset
            default: token = nil
            }
            guard let token else {
                throw FormatError(
                    message: "\"\(String(repeating: c, count: n))\" is not a supported pattern letter "
                        + "(use yyyy yy M MM MMM d dd H HH h hh m mm s ss S a X, or quote literal text)")
            }
            tokens.append(token)
            i += n
        }
        return tokens
    }

    /// Whether values carry a time of day (a date-only format makes all-day values).
    public var hasTime: Bool {
        guard case .pattern(let tokens) = kind else { return true }
        return tokens.contains {
            if case .hour24 = $0 { return true }; if case .hour12 = $0 { return true }; return false
        }
    }

    /// Parses `text` (surrounding spaces ignored); nil when it does not match.
    public func parse(_ text: String) -> ParsedTime? {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// Parses the UTF-8 `raw` (surrounding spaces ignored); nil when it does not match.
    public func parse(bytes raw: UnsafeBufferPointer<UInt8>) -> ParsedTime? {
        var lo = 0
        var hi = raw.count
        while lo < hi && (raw[lo] == 0x20 || raw[lo] == 0x09) { lo += 1 }
        while hi > lo && (raw[hi - 1] == 0x20 || raw[hi - 1] == 0x09) { hi -= 1 }
        guard lo < hi else { return nil }
        let text = UnsafeBufferPointer(rebasing: raw[lo..<hi])
        if case .iso8601 = kind, let quick = ByteScanner.quickISO8601(text) { return quick }
        var scanner = ByteScanner(bytes: text)
        let result: ParsedTime?
        switch kind {
        case .iso8601: result = scanner.iso8601()
        case .unixSeconds: result = scanner.unix(scale: 1)
        case .unixMilliseconds: result = scanner.unix(scale: 1000)
        case .pattern(let tokens): result = scanner.pattern(tokens)
        }
        return scanner.atEnd ? result : nil
    }

    /// Writes `time` in this format; instants are shown on the wall clock of `zone`.
    public func format(_ time: EventTime, zone: ZoneResolver) -> String {
        switch time {
        case .allDay(let d):
            switch kind {
            case .pattern(let tokens) where !hasTime: return TimeFormat.render(tokens, d, 0, 0, 0)
            case .unixSeconds, .unixMilliseconds, .pattern:
                return format(.instant(zone.instant(d, secondsOfDay: 0), timeZone: nil), zone: zone)
            case .iso8601: return d.description
            }
        case .instant(let date, _):
            switch kind {
            case .unixSeconds: return String(Int(date.timeIntervalSince1970.rounded(.down)))
            case .unixMilliseconds: return String(Int((date.timeIntervalSince1970 * 1000).rounded(.down)))
            case .iso8601:
                let (d, s, offset) = zone.wallClock(date)
                return TimeFormat.render(TimeFormat.isoTokens, d, s, 0, offset)
            case .pattern(let tokens):
                let (d, s, offset) = zone.wallClock(date)
                return TimeFormat.render(tokens, d, s, 0, offset)
            }
        }
    }

    private static let isoTokens: [Token] = [
        .year4, .literal([0x2D]), .month(2), .literal([0x2D]), .day(2), .literal([0x54]), .hour24(2),
        .literal([0x3A]), .minute(2), .literal([0x3A]), .second(2), .offset,
    ]

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func render(_ tokens: [Token], _ d: CivilDate, _ secs: Int, _ nanos: Int, _ offset: Int) -> String {
        var out = ""
        func pad(_ v: Int, _ width: Int) {
            let s = String(v)
            if s.count < width { out += String(repeating: "0", count: width - s.count) }
            out += s
        }
        let hour = secs / 3600
        for t in tokens {
            switch t {
            case .year4: pad(d.year, 4)
            case .year2: pad(d.year % 100, 2)
            case .month(let n): pad(d.month, n)
            case .monthName: out += monthNames[d.month - 1]
            case .day(let n): pad(d.day, n)
            case .hour24(let n): pad(hour, n)
            case .hour12(let n): pad(hour % 12 == 0 ? 12 : hour % 12, n)
            case .minute(let n): pad(secs / 60 % 60, n)
            case .second(let n): pad(secs % 60, n)
            case .fraction: pad(nanos / 1_000_000, 3)
            case .ampm: out += hour < 12 ? "AM" : "PM"
            case .offset:
                if offset == 0 { out += "Z"; continue }
                out += offset < 0 ? "-" : "+"
                pad(abs(offset) / 3600, 2)
                out += ":"
                pad(abs(offset) / 60 % 60, 2)
            case .literal(let bytes): out += String(decoding: bytes, as: UTF8.self)
            }
        }
        return out
    }
}
