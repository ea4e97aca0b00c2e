import AlmanacCore
import Foundation

/// Turns naive wall-clock times into instants in one zone, and instants back into wall-clock
/// parts, with DST gaps and overlaps resolved explicitly:
/// - a time in a gap (spring forward: 02:30 that never happens) is read with the offset in force
///   before the gap, so it lands after it (02:30 CST → 03:30 CDT);
/// - a time in an overlap (fall back: 01:30 happens twice) is the first occurrence.
///
/// Resolution is cached per quarter hour of local time (zones change offset on quarter-hour
/// boundaries), and a day whose first and last quarter hours have the same offset is taken to
/// have it throughout, so a file of a million rows asks the zone database a few thousand times.
/// Not thread-safe: one resolver per reader.
public final class ZoneResolver {
    public let timeZone: TimeZone
    private var cache: [Int: Int] = [:]

    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    /// The instant of `date` at `secondsOfDay` (plus `nanoseconds`) on the wall clock of the zone.
    public func instant(_ date: CivilDate, secondsOfDay: Int, nanoseconds: Int = 0) -> Date {
        let day = CivilDays.days(date)
        let local = day * 86_400 + secondsOfDay
        let offset: Int
        if day == lastDay, let whole = lastDayOffset {
            // Fast path: a day with one offset throughout (all but two days a year).
            offset = whole
        } else {
            offset = quarterHour(local)
            if day != lastDay {
                lastDay = day
                let atStart = quarterHour(day * 86_400)
                lastDayOffset = atStart == quarterHour(day * 86_400 + 86_400 - 900) ? atStart : nil
            }
        }
        return Date(timeIntervalSince1970: Double(local - offset) + Double(nanoseconds) / 1e9)
    }

    private var lastDay = Int.min
    private var lastDayOffset: Int?

    private func quarterHour(_ local: Int) -> Int {
        let bucket = local >= 0 ? local / 900 : (local - 899) / 900
        if let cached = cache[bucket] { return cached }
        let offset = resolve(local: bucket * 900)
        if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
        cache[bucket] = offset
        return offset
    }

    /// The UTC offset (seconds) to subtract from the local seconds `local` (as if UTC).
    private func resolve(local: Int) -> Int {
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - 86_400)))
        let after = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local + 86_400)))
        var best: Int?
        for offset in Set([before, after]) {
            let candidate = local - offset
            if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate))) == offset {
                if best.map({ candidate < local - $0 }) ?? true { best = offset }
            }
        }
        return best ?? before
    }

    /// Wall-clock parts of `instant` in the zone: the date, seconds of the day, the UTC offset.
    public func wallClock(_ instant: Date) -> (date: CivilDate, secondsOfDay: Int, offset: Int) {
        let offset = timeZone.secondsFromGMT(for: instant)
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return (CivilDays.date(days), local - days * 86_400, offset)
    }
}

/// Days since 1970-01-01 for civil dates (proleptic Gregorian), both ways.
public enum CivilDays {
    public static func days(_ d: CivilDate) -> Int {
        let y = d.month <= 2 ? d.year - 1 : d.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (d.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + d.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func date(_ days: Int) -> CivilDate {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return CivilDate(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }
}
