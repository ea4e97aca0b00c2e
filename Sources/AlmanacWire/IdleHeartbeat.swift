import Foundation
import Glibc

/// The idle `status` heartbeat (`{"next_run":"…","state":"idle","type":"status","v":1}`), written
/// and recognised without `JSONEncoder`/`JSONDecoder`.
///
/// Every idle worker sends one every few seconds and the daemon reads 200 of them per interval:
/// the generic Codable path touches a few megabytes of code each time, which then stays resident
/// in every process. The bytes are exactly those of `Wire.line(PipeMessage.status(.init(state:
/// "idle", nextRun:)))` (a test holds the two together), so either side may use the generic path
/// instead.
public enum IdleHeartbeat {
    private static let head = Array(#"{"next_run":""#.utf8)
    private static let tail = Array(#"","state":"idle","type":"status","v":1}"#.utf8)
    private static let bare = Array(#"{"state":"idle","type":"status","v":1}"#.utf8)

    /// The heartbeat as one NDJSON line (with its newline); `nextRun` in whole seconds, UTC.
    public static func line(nextRun: Date?) -> [UInt8] {
        guard let nextRun else { return bare + [0x0A] }
        return head + iso8601(nextRun) + tail + [0x0A]
    }

    /// The `next_run` of a line that is an idle heartbeat as `line(nextRun:)` writes it (without
    /// its newline): `.some(nil)` when it has none; nil when the line is anything else (decode it
    /// with `Wire.decoder()` then).
    public static func nextRun(ofIdleHeartbeat line: [UInt8]) -> Date?? {
        if line == bare { return .some(nil) }
        guard line.count == head.count + 20 + tail.count, line.starts(with: head), line.suffix(tail.count) == tail[...],
            let date = parseISO8601(line[head.count..<head.count + 20])
        else { return nil }
        return .some(date)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as `JSONEncoder`'s `.iso8601` writes a date (seconds truncated).
    static func iso8601(_ date: Date) -> [UInt8] {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func digits(_ value: Int32, _ width: Int) {
            var d = [UInt8](repeating: 0x30, count: width)
            var v = Int(value)
            for i in stride(from: width - 1, through: 0, by: -1) {
                d[i] = 0x30 + UInt8(v % 10)
                v /= 10
            }
            out += d
        }
        digits(parts.tm_year + 1900, 4)
        out.append(0x2D)
        digits(parts.tm_mon + 1, 2)
        out.append(0x2D)
        digits(parts.tm_mday, 2)
        out.append(0x54)
        digits(parts.tm_hour, 2)
        out.append(0x3A)
        digits(parts.tm_min, 2)
        out.append(0x3A)
        digits(parts.tm_sec, 2)
        out.append(0x5A)
        return out
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (`Wire.encoder()`'s dates; also read by `almanac status`).
    public static func parseISO8601(_ s: ArraySlice<UInt8>) -> Date? {
        let b = Array(s)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A
        else { return nil }
        func number(_ from: Int, _ width: Int) -> Int32? {
            var v: Int32 = 0
            for c in b[from..<from + width] {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int32(c - 0x30)
            }
            return v
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Date(timeIntervalSince1970: Double(timegm(&parts)))
    }
}
