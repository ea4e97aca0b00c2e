import AlmanacCore
import Foundation
import Testing

/// `recurrence = "instances" | "series"` on a job (README "Recurring appointments").
@Suite("Recurrence mode validation", .timeLimit(.minutes(10)))
struct RecurrenceModeValidationTests {
    static let job = "to = \"cal\"\n"

    @Test func eachValueParsesAndInstancesIsTheDefault() throws {
        #expect(profile(validProfile)?.jobs.first?.recurrence == .instances)
        for mode in RecurrenceMode.allCases {
            let p = try #require(profile(variant(Self.job, Self.job + "recurrence = \"\(mode.rawValue)\"\n")))
            #expect(p.jobs.first?.recurrence == mode)
        }
    }

    @Test func anUnknownValueIsAnErrorNamingTheChoices() {
        let found = issues(variant(Self.job, Self.job + "recurrence = \"expanded\"\n"))
        #expect(found.codesAndPaths == ["config.invalid_value jobs[0].recurrence"])
        #expect(found.first?.message.contains("instances") == true && found.first?.message.contains("series") == true)
    }
}
