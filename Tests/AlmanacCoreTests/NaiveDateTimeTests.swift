import AlmanacCore
import Foundation
import Testing

@Suite("Naive times in a zone")
struct NaiveDateTimeTests {
    static func utc(_ s: String) -> Date { try! Date(s, strategy: .iso8601) }

    @Test(arguments: [
        // Ordinary winter and summer times.
        ("America/Chicago", "2024-01-15 09:00:00", "2024-01-15T15:00:00Z"),
        ("America/Chicago", "2024-07-01 09:00:00", "2024-07-01T14:00:00Z"),
        // Spring forward (02:00 → 03:00): 02:30 does not exist, moved later by the gap.
        ("America/Chicago", "2024-03-10 02:30:00", "2024-03-10T08:30:00Z"),
        ("America/Chicago", "2024-03-10 01:59:59", "2024-03-10T07:59:59Z"),
        ("America/Chicago", "2024-03-10 03:00:00", "2024-03-10T08:00:00Z"),
        // Fall back (02:00 → 01:00): 01:30 happens twice, the first (CDT) is taken.
        ("America/Chicago", "2024-11-03 01:30:00", "2024-11-03T06:30:00Z"),
        ("America/Chicago", "2024-11-03 00:59:00", "2024-11-03T05:59:00Z"),
        ("America/Chicago", "2024-11-03 02:00:00", "2024-11-03T08:00:00Z"),
        ("Europe/Berlin", "2024-03-31 02:30:00", "2024-03-31T01:30:00Z"),
        ("Europe/Berlin", "2024-10-27 02:30:00", "2024-10-27T00:30:00Z"),
        // A half-hour DST shift.
        ("Australia/Lord_Howe", "2024-10-06 02:15:00", "2024-10-05T15:45:00Z"),
        ("UTC", "2024-02-29 23:59:59", "2024-02-29T23:59:59Z"),
    ])
    func resolve(zone: String, local: String, expected: String) throws {
        let naive = try #require(NaiveDateTime(iso: local))
        #expect(naive.resolve(in: TimeZone(identifier: zone)!) == Self.utc(expected))
    }

    @Test func parsing() {
        #expect(NaiveDateTime(iso: "2024-03-10T14:30")?.description == "2024-03-10 14:30:00")
        #expect(NaiveDateTime(iso: "2024-03-10 14:30:05.250")?.fraction == 0.25)
        #expect(NaiveDateTime(iso: "2024-03-10") == nil)
        #expect(NaiveDateTime(iso: "2024-03-10 25:00") == nil)
        #expect(NaiveDateTime(iso: "2024-03-10T14:30:00Z") == nil)
    }
}
