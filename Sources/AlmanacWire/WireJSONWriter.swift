import AlmanacCore
import Foundation

/// Writes JSON bytes by hand exactly as `Wire.encoder()` writes them, for bodies too large to go
/// through `JSONEncoder` quickly (`StatusList.wireJSON()`).
///
/// What `Wire.encoder()` does, and so what this does (`StatusJSONTests` holds it to that):
/// - strings as `JSONString.append` writes them (`\b`, `\t`, `\n`, `\f`, `\r`, `\u00xx` for the
///   other control characters, `/` and all non-ASCII as their UTF-8 bytes);
/// - integers in decimal, `-` for negatives;
/// - dates (`.iso8601`) as `yyyy-MM-ddTHH:mm:ssZ` in UTC, the seconds of the interval since the
///   reference date rounded down. Before 1583 the encoder uses the Julian calendar, and past 9999
///   it writes more digits of year: such a date sets `failed` and the caller uses `JSONEncoder`.
///
/// Keys are written in the order the caller gives: `.sortedKeys` sorts them by their bytes, and
/// the callers write each type's keys in that order.
struct WireJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// True when a value was met that this writer cannot write as `JSONEncoder` would.
    private(set) var failed = false
    /// False once the open object or array has a member, so the next one is preceded by a comma.
    private var first = true

    /// 1583-01-01T00:00:00Z: the first whole year of the Gregorian calendar.
    static let firstSeconds = -12_212_553_600
    /// 9999-12-31T23:59:59Z: the last date written with four digits of year.
    static let lastSeconds = 253_402_300_799
    private static let referenceDateSeconds = 978_307_200

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func openObject() { open(UInt8(ascii: "{")) }
    mutating func closeObject() { close(UInt8(ascii: "}")) }
    mutating func openArray() { open(UInt8(ascii: "[")) }
    mutating func closeArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        first = true
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        first = false
    }

    /// Before each element of an array.
    mutating func element() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
    }

    /// `"key":`, preceded by a comma unless it is the object's first member.
    mutating func key(_ key: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    mutating func int(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    mutating func string(_ value: String) { JSONString.append(value, to: &bytes) }

    /// The interval since the reference date (2001), not since 1970, is rounded down, as the
    /// encoder does: adding the 978,307,200 s between them first can round a fraction up to the
    /// next second.
    mutating func date(_ value: Date) {
        let sinceReference = value.timeIntervalSinceReferenceDate.rounded(.down)
        guard sinceReference >= Double(Self.firstSeconds - Self.referenceDateSeconds),
            sinceReference <= Double(Self.lastSeconds - Self.referenceDateSeconds)
        else {
            failed = true  // also NaN, which compares false
            return
        }
        bytes.append(UInt8(ascii: "\""))
        UTCTimestamp.append(secondsSince1970: Int(sinceReference) + Self.referenceDateSeconds, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}
