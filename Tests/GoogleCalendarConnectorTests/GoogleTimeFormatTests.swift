import Foundation
import Testing

@testable import GoogleCalendarConnector

@Suite("google times as RFC 3339", .timeLimit(.minutes(10)))
struct GoogleTimeFormatTests {
    /// The hand-made format equals Foundation's format style: zones east and west, half-hour and
    /// quarter-hour offsets, both sides of DST changes, leap days, the epoch, far years.
    @Test(arguments: ["America/Chicago", "UTC", "Europe/Paris", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Kiritimati"])
    func handMadeFormatMatchesTheFormatStyle(zone: String) throws {
        let z = try #require(TimeZone(identifier: zone))
        var instants: [Double] = [
            0, 951_782_400, 1_709_164_800, 1_710_054_000, 1_730_617_200, 4_102_444_799, 32_503_680_000,
        ]
        var x: Double = 12_345
        for _ in 0..<2_000 {
            x = (x * 48_271).truncatingRemainder(dividingBy: 2_147_483_647)
            instants.append(x * 7)
        }
        for s in instants {
            let d = Date(timeIntervalSince1970: s)
            #expect(GoogleMapping.rfc3339(d, in: z) == GoogleMapping.rfc3339Styled(d, in: z), "\(s) in \(zone)")
        }
        #expect(
            GoogleMapping.rfc3339(Date(timeIntervalSince1970: 0), in: TimeZone(identifier: "UTC")!)
                == "1970-01-01T00:00:00Z")
    }
}
