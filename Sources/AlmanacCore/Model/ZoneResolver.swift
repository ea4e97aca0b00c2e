import Foundation

/// Turns naive wall-clock times (what most practice databases and exports store) into instants in
/// one zone, and instants back into wall-clock parts, with DST gaps and overlaps resolved explicitly:
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
        Date(
            timeIntervalSince1970: Double(utcSeconds(localSeconds: date.daysSince1970 * 86_400 + secondsOfDay))
                + Double(nanoseconds) / 1e9)
    }

    /// The UTC seconds of `localSeconds` (the wall clock's seconds since 1970-01-01T00:00 as if UTC).
    public func utcSeconds(localSeconds local: Int) -> Int {
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        if day != lastDay {
            lastDay = day
            lastDayOffset = wholeDayOffset(day)
        }
        // A day with one offset throughout (all but two days a year) needs no quarter hour.
        if let whole = lastDayOffset { return local - whole }
        return local - quarterHour(local)
    }

    private var lastDay = Int.min
    private var lastDayOffset: Int?
    /// Per day (days since 1970): its one offset, or `Int.min` when the offset changes that day.
    private var days: [Int: Int] = [:]

    private func wholeDayOffset(_ day: Int) -> Int? {
        if let known = days[day] { return known == Int.min ? nil : known }
        let atStart = quarterHour(day * 86_400)
        let whole = atStart == quarterHour(day * 86_400 + 86_400 - 900) ? atStart : nil
        if days.count > 100_000 { days.removeAll(keepingCapacity: true) }
        days[day] = whole ?? Int.min
        return whole
    }

    private func quarterHour(_ local: Int) -> Int {
        let bucket = local >= 0 ? local / 900 : (local - 899) / 900
        if let cached = cache[bucket] { return cached }
        let offset = resolve(local: bucket * 900)
        if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
        cache[bucket] = offset
        return offset
    }

    /// The UTC offset (seconds) to subtract from the local seconds `local` (as if UTC).
    func resolve(local: Int) -> Int {
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
        return (CivilDate(daysSince1970: days), local - days * 86_400, offset)
    }
}
