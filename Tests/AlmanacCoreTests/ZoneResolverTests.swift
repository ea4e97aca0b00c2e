import AlmanacCore
import Foundation
import Testing

@Suite("Naive times in a zone")
struct ZoneResolverTests {
    static func utc(_ s: String) -> Date { try! Date(s, strategy: .iso8601) }

    @Test(arguments: [
        // Ordinary winter and summer times.
        ("America/Chicago", "2024-01-15", "09:00:00", "2024-01-15T15:00:00Z"),
        ("America/Chicago", "2024-07-01", "09:00:00", "2024-07-01T14:00:00Z"),
        // Spring forward (02:00 → 03:00): 02:30 does not exist, moved later by the gap.
        ("America/Chicago", "2024-03-10", "02:30:00", "2024-03-10T08:30:00Z"),
        ("America/Chicago", "2024-03-10", "01:59:59", "2024-03-10T07:59:59Z"),
        ("America/Chicago", "2024-03-10", "03:00:00", "2024-03-10T08:00:00Z"),
        // Fall back (02:00 → 01:00): 01:30 happens twice, the first (CDT) is taken.
        ("America/Chicago", "2024-11-03", "01:30:00", "2024-11-03T06:30:00Z"),
        ("America/Chicago", "2024-11-03", "00:59:00", "2024-11-03T05:59:00Z"),
        ("America/Chicago", "2024-11-03", "02:00:00", "2024-11-03T08:00:00Z"),
        ("Europe/Berlin", "2024-03-31", "02:30:00", "2024-03-31T01:30:00Z"),
        ("Europe/Berlin", "2024-10-27", "02:30:00", "2024-10-27T00:30:00Z"),
        // A half-hour DST shift.
        ("Australia/Lord_Howe", "2024-10-06", "02:15:00", "2024-10-05T15:45:00Z"),
        ("UTC", "2024-02-29", "23:59:59", "2024-02-29T23:59:59Z"),
    ])
    func resolve(zone: String, date: String, time: String, expected: String) throws {
        let d = try #require(CivilDate(iso: date))
        let t = try #require(LocalTime(string: time))
        let r = ZoneResolver(TimeZone(identifier: zone)!)
        #expect(r.instant(d, secondsOfDay: t.hour * 3_600 + t.minute * 60 + t.second) == Self.utc(expected))
    }

    @Test func wallClockOfAnInstant() {
        let r = ZoneResolver(TimeZone(identifier: "America/Chicago")!)
        let (date, seconds, offset) = r.wallClock(Self.utc("2024-11-03T06:30:00Z"))
        #expect(date == CivilDate(year: 2024, month: 11, day: 3) && seconds == 5_400 && offset == -18_000)
    }

    @Test func civilDayArithmetic() {
        for days in [-800_000, -1, 0, 1, 59, 20_000, 2_932_896] {
            #expect(CivilDate(daysSince1970: days).daysSince1970 == days)
        }
        #expect(CivilDate(daysSince1970: 0) == CivilDate(year: 1970, month: 1, day: 1))
        #expect(
            CivilDate(year: 2024, month: 3, day: 1).daysSince1970
                - CivilDate(year: 2024, month: 2, day: 28).daysSince1970 == 2)
    }
}
