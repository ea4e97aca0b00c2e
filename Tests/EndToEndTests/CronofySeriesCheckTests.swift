import Foundation
import Testing

/// `almanac check` on a job with `recurrence = "series"` and a Cronofy side (issue 19): valid,
/// since the connector writes a series as its occurrences (Plugins/Cronofy/README.md).
@Suite("almanac check: series with cronofy", .serialized, .timeLimit(.minutes(10)))
struct CronofySeriesCheckTests {
    @Test func aSeriesJobWithACronofySideIsValid() throws {
        let dir = TempDirectory("cronofy-series")
        let profile = CheckCommandTests.profile([
            "connector = \"google\"\ncalendar_id = \"primary\"":
                "connector = \"cronofy\"\ncalendar_id = \"cal_clinic\"\nclient_id = \"almanac-clinic\"",
            "window = { past_days = 7, future_days = 30 }":
                "window = { past_days = 7, future_days = 30 }\nrecurrence = \"series\"",
        ])
        try dir.write("clinic.toml", profile)
        let out = try BinaryRunner.run(["check", dir.path + "/clinic.toml"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout == "\(dir.path)/clinic.toml: OK\n1 profile checked: 1 valid, 0 invalid\n")
    }
}
