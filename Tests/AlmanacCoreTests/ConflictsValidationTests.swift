import AlmanacCore
import Foundation
import Testing

/// `conflicts = { by = [...] }` on a job: parsed into fields, and every problem reported.
@Suite("Conflicts validation", .timeLimit(.minutes(10)))
struct ConflictsValidationTests {
    static let job = "to = \"cal\"\n"

    @Test func fieldsParseInOrder() throws {
        let p = try #require(
            profile(variant(Self.job, Self.job + "conflicts = { by = [\"participant_0_email\", \"custom.room\"] }\n")))
        #expect(p.jobs.first?.conflicts == [.participantEmail(0), .custom("room")])
        #expect(profile(validProfile)?.jobs.first?.conflicts == nil)
    }

    @Test func anUnknownFieldIsAnErrorNamingIt() {
        let found = issues(variant(Self.job, Self.job + "conflicts = { by = [\"title\", \"rooom\"] }\n"))
        #expect(found.codesAndPaths == ["config.invalid_value jobs[0].conflicts.by[1]"])
        #expect(
            found.first?.message
                == "unknown field \"rooom\"; fields: title, location, description, participant_N_name, participant_N_email, participant_N_phone, custom.NAME"
        )
    }

    @Test func anEmptyOrMissingListIsAnError() {
        let empty = issues(variant(Self.job, Self.job + "conflicts = { by = [] }\n"))
        #expect(empty.codesAndPaths == ["config.invalid_value jobs[0].conflicts.by"])
        #expect(empty.first?.message.hasPrefix("name at least one field") == true)
        let missing = issues(variant(Self.job, Self.job + "conflicts = { }\n"))
        #expect(missing.map(\.path) == ["jobs[0].conflicts.by"])
        let unknown = issues(variant(Self.job, Self.job + "conflicts = { by = [\"title\"], on = 1 }\n"))
        #expect(unknown.codesAndPaths == ["config.unknown_key jobs[0].conflicts.on"])
    }
}
