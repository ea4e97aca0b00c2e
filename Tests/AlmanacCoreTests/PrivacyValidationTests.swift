import AlmanacCore
import Foundation
import Testing

/// `privacy`, `busy_title`, `redacted_title`, `include`, `exclude` of a job (README "Privacy and filters").
@Suite(.timeLimit(.minutes(10))) struct PrivacyValidationTests {
    func job(_ lines: String) -> String { variant("to = \"cal\"", "to = \"cal\"\n" + lines) }

    @Test func validSettingsAreRead() throws {
        let p = try #require(
            profile(
                job(
                    """
                    privacy = "redacted"
                    redacted_title = "{{appt_type}} at {{location}}"
                    include = { status = ["confirmed"], participant_0_email = ["A@x.org"] }
                    exclude = { appt_type = ["internal", "admin"] }
                    """)))
        let policy = p.jobs[0].outbound
        #expect(policy.privacy == .redacted)
        #expect(policy.redactedTitle == "{{appt_type}} at {{location}}")
        #expect(policy.include == ["status": ["confirmed"], "participant_0_email": ["A@x.org"]])
        #expect(policy.exclude == ["appt_type": ["internal", "admin"]])
        let busy = try #require(profile(job("privacy = \"busy\"\nbusy_title = \"Occupied\"")))
        #expect(busy.jobs[0].outbound.privacy == .busy)
        #expect(busy.jobs[0].outbound.busyTitle == "Occupied")
        let plain = try #require(profile(validProfile))
        #expect(plain.jobs[0].outbound == DirectionPolicy())
        #expect(plain.jobs[0].outbound.isFull)
    }

    @Test(
        arguments: [
            (
                "privacy = \"hidden\"", "config.invalid_value jobs[0].privacy",
                "must be one of full, busy, redacted, got \"hidden\""
            ),
            ("privacy = \"bussy\"", "config.invalid_value jobs[0].privacy", nil),
            (
                "busy_title = \"Away\"", "config.invalid_value jobs[0].busy_title",
                "has an effect only with privacy = \"busy\""
            ),
            ("privacy = \"busy\"\nbusy_title = \" \"", "config.invalid_value jobs[0].busy_title", "must not be empty"),
            (
                "privacy = \"busy\"\nredacted_title = \"X\"", "config.invalid_value jobs[0].redacted_title",
                "has an effect only with privacy = \"redacted\""
            ),
            (
                "privacy = \"redacted\"\nredacted_title = \"Visit {{participant_0_name}}\"",
                "config.invalid_value jobs[0].redacted_title",
                "may not use \"participant_0_name\": a redacted title carries no participant field and no description"
            ),
            (
                "privacy = \"redacted\"\nredacted_title = \"{{#description}}x{{/description}}\"",
                "config.invalid_value jobs[0].redacted_title", nil
            ),
            ("privacy = \"redacted\"\nredacted_title = \"{{#x}}\"", "config.invalid_value jobs[0].redacted_title", nil),
            (
                "include = { status = [] }", "config.invalid_value jobs[0].include.status",
                "lists no value: give at least one"
            ),
            (
                "exclude = {}", "config.invalid_value jobs[0].exclude",
                "names no field: remove it or give field = [\"value\", …]"
            ),
            (
                "include = { stauts = [\"confirmed\"] }", "config.invalid_value jobs[0].include.stauts",
                "unknown field \"stauts\" (did you mean \"status\"?)"
            ),
            (
                "exclude = { start_time = [\"x\"] }", "config.invalid_value jobs[0].exclude.start_time",
                "unknown field \"start_time\": times and keys are not filtered on (the window selects by time)"
            ),
            ("exclude = { \"Appt Type\" = [\"x\"] }", "config.invalid_value jobs[0].exclude.\"Appt Type\"", nil),
            (
                "exclude = { participant_0_nmae = [\"x\"] }", "config.invalid_value jobs[0].exclude.participant_0_nmae",
                nil
            ),
            ("include = { status = \"confirmed\" }", "config.type jobs[0].include.status", nil),
            ("include = [\"status\"]", "config.type jobs[0].include", nil),
        ] as [(String, String, String?)])
    func rules(line: String, expected: String, message: String?) {
        let found = issues(job(line))
        #expect(found.codesAndPaths == [expected])
        if let message { #expect(found.first?.message == message) }
    }
}
