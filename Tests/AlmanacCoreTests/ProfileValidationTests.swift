import AlmanacCore
import Foundation
import Testing

@Suite("Profile validation")
struct ProfileValidationTests {
    @Test func validProfileParsesIntoTypedValues() throws {
        let p = try #require(profile(validProfile))
        #expect(p.name == "clinic")
        #expect(p.enabled)
        #expect(p.timeZone.identifier == "America/Chicago")
        #expect(p.schedule.trigger == .every(.seconds(3_600)))
        #expect(p.schedule.jitter == .seconds(300))
        #expect(p.connections.keys.sorted() == ["cal", "db"])
        #expect(p.connections["db"]?.connector == "testdb")
        #expect(p.connections["db"]?.settings.string("dsn") == "clinic")
        #expect(p.connections["db"]?.settings["connector"] == nil)
        let job = try #require(p.jobs.first)
        #expect(job.name == "appointments" && job.from == "db" && job.to == "cal")
        #expect(job.direction == .oneWay && job.conflict == .fromWins)
        #expect(job.window == WindowConfig(pastDays: 7, futureDays: 30, chunkDays: 7))
        #expect(job.apply == ApplyFlags(create: true, update: true, delete: true))
        #expect(job.applyBack == ApplyFlags(create: false, update: true, delete: false))
        #expect(job.massDeletePercent == 20)
        #expect(job.massDeleteMin == 3)
        #expect(job.match == [.startTime, .title])
        #expect(job.source.string("query") == "SELECT 1")
        #expect(p.configHash.count == 64)
    }

    @Test func matchNamesStandardAndCustomFields() throws {
        let text = variant(
            "to = \"cal\"",
            "to = \"cal\"\nmatch = [\"participant_0_email\", \"custom.room\", \"start_time\", \"end_time\"]")
        let job = try #require(profile(text)?.jobs.first)
        #expect(job.match == [.participantEmail(0), .custom("room"), .startTime, .endTime])
        #expect(job.match.map(\.name) == ["participant_0_email", "custom.room", "start_time", "end_time"])
    }

    @Test func syntaxErrorNamesLineAndColumn() {
        let found = issues("timezone = \"UTC\"\n[connections.db\nconnector = 1\n")
        #expect(found.count == 1)
        #expect(found[0].code == .configSyntax)
        #expect(found[0].message.hasPrefix("line 2, column"))
    }

    @Test func unknownKeysAreErrorsWithSuggestions() {
        let found = issues("enabld = true\n" + validProfile)
        #expect(found.codesAndPaths == ["config.unknown_key enabld"])
        #expect(found[0].message == "unknown key (did you mean \"enabled\"?)")

        let nested = issues(variant("every = \"1h\"", "every = \"1h\"\njiter = \"2m\""))
        #expect(nested.codesAndPaths == ["config.unknown_key schedule.jiter"])
        #expect(nested[0].message.contains("did you mean \"jitter\"?"))

        let inJob = issues(variant("to = \"cal\"", "to = \"cal\"\nwindw = { past_days = 1 }"))
        #expect(inJob.codesAndPaths == ["config.unknown_key jobs[0].windw"])

        let inConnection = issues(variant("dsn = \"clinic\"", "dsn = \"clinic\"\ndns = \"x\""))
        #expect(inConnection.codesAndPaths == ["config.unknown_key connections.db.dns"])
        #expect(inConnection[0].message.contains("did you mean \"dsn\"?"))

        let inSource = issues(validProfile + "\nqery = \"x\"\n")
        #expect(inSource.codesAndPaths == ["config.unknown_key jobs[0].source.qery"])
    }

    @Test func timeZoneMustBeIANA() {
        let bad = issues(variant("America/Chicago", "America/Chicgo"))
        #expect(bad.codesAndPaths == ["config.invalid_value timezone"])
        #expect(bad[0].message.contains("did you mean \"America/Chicago\"?"))
        #expect(issues(variant("timezone = \"America/Chicago\"", "")).codesAndPaths == ["config.missing_key timezone"])
        #expect(issues(variant("America/Chicago", "UTC")).isEmpty)
        #expect(issues(variant("America/Chicago", "Europe/Berlin")).isEmpty)
    }

    @Test(arguments: [
        ("every = \"1h\"", "every = \"hourly\"", "config.invalid_value schedule.every"),
        ("every = \"1h\"", "every = \"30s\"", "config.invalid_value schedule.every"),
        ("every = \"1h\"", "every = 60", "config.type schedule.every"),
        ("every = \"1h\"", "every = \"1h\"\nat = [\"04:00\"]", "config.invalid_value schedule.at"),
        ("every = \"1h\"", "at = [\"25:00\"]", "config.invalid_value schedule.at[0]"),
        ("every = \"1h\"", "at = []", "config.invalid_value schedule.at"),
        ("every = \"1h\"", "every = \"1h\"\njitter = \"2 minutes\"", "config.invalid_value schedule.jitter"),
    ])
    func scheduleRules(old: String, new: String, expected: String) {
        #expect(issues(variant(old, new)).codesAndPaths == [expected])
    }

    @Test func scheduleForms() throws {
        let at = try #require(profile(variant("every = \"1h\"", "at = [\"12:30\", \"04:00\"]")))
        #expect(at.schedule.trigger == .at([LocalTime(hour: 4, minute: 0), LocalTime(hour: 12, minute: 30)]))
        #expect(at.schedule.jitter == .zero)
        let mixed = try #require(profile(variant("every = \"1h\"", "every = \"1h30m\"\njitter = \"2m\"")))
        #expect(mixed.schedule.trigger == .every(.seconds(5_400)))
        #expect(mixed.schedule.jitter == .seconds(120))
        let none = try #require(profile(variant("[schedule]\nevery = \"1h\"", "")))
        #expect(none.schedule == .default)
        let manual = try #require(profile(variant("every = \"1h\"", "manual = true")))
        #expect(manual.schedule.trigger == .manual)
    }

    @Test func notifyRules() {
        let bad = issues(validProfile + "\n[notify]\non = [\"failed\"]\ncommand = [\"/bin/true\"]\n")
        #expect(bad.codesAndPaths == ["config.invalid_value notify.on[0]"])
        let noCommand = issues(validProfile + "\n[notify]\non = [\"failure\"]\n")
        #expect(noCommand.codesAndPaths == ["config.missing_key notify.command"])
        let notExecutable = issues(validProfile + "\n[notify]\ncommand = [\"/nonexistent/page-ops\"]\n")
        #expect(notExecutable.codesAndPaths == ["config.invalid_value notify.command"])
    }

    @Test func connectionsAreValidatedByTheirConnector() {
        let unknown = issues(variant("connector = \"testcal\"", "connector = \"testcall\""))
        #expect(unknown.codesAndPaths == ["config.unknown_connector connections.cal.connector"])
        #expect(unknown[0].message.contains("did you mean \"testcal\"?"))
        #expect(unknown[0].message.contains("known: testcal, testdb"))

        let missing = issues(variant("dsn = \"clinic\"", ""))
        #expect(missing.codesAndPaths == ["config.missing_key connections.db.dsn"])

        let wrongType = issues(variant("dsn = \"clinic\"", "dsn = 5"))
        #expect(wrongType.codesAndPaths == ["config.type connections.db.dsn"])

        let badChoice = issues(variant("dsn = \"clinic\"", "dsn = \"clinic\"\nmode = \"fsat\""))
        #expect(badChoice.codesAndPaths == ["config.invalid_value connections.db.mode"])
        #expect(badChoice[0].message.contains("did you mean \"fast\"?"))

        let noConnector = issues(variant("connector = \"testcal\"\n", ""))
        #expect(noConnector.codesAndPaths == ["config.missing_key connections.cal.connector"])

        let noConnections = issues("timezone = \"UTC\"\n[[jobs]]\nname = \"a\"\nfrom = \"x\"\nto = \"y\"\n")
        #expect(noConnections.codesAndPaths.contains("config.missing_key connections"))
    }

    @Test func jobsNameExistingConnections() {
        let found = issues(variant("to = \"cal\"", "to = \"calendar\""))
        #expect(found.codesAndPaths == ["config.unknown_connection jobs[0].to"])
        #expect(found[0].message == "no connection named \"calendar\"; defined: cal, db")
        let same = issues(variant("to = \"cal\"", "to = \"db\""))
        #expect(same.codesAndPaths.contains("config.invalid_value jobs[0].to"))
        let noJobs = issues(validProfile.components(separatedBy: "[[jobs]]")[0])
        #expect(noJobs.codesAndPaths == ["config.missing_key jobs"])
        let dup = issues(
            validProfile
                + "\n[[jobs]]\nname = \"appointments\"\nfrom = \"db\"\nto = \"cal\"\n[jobs.source]\nquery = \"x\"\n")
        #expect(dup.codesAndPaths == ["config.invalid_value jobs[1].name"])
    }

    @Test(
        arguments: [
            ("window = { past_days = -3 }", "config.invalid_value jobs[0].window.past_days", "must be ≥ 0, got -3"),
            ("window = { future_days = -1 }", "config.invalid_value jobs[0].window.future_days", "must be ≥ 0, got -1"),
            ("window = { chunk_days = 0 }", "config.invalid_value jobs[0].window.chunk_days", "must be ≥ 1, got 0"),
            (
                "window = { past_days = 0, future_days = 0 }", "config.invalid_value jobs[0].window.future_days",
                "the window is empty: past_days + future_days must be > 0"
            ),
            (
                "window = { past_days = \"7\" }", "config.type jobs[0].window.past_days",
                "expected an integer, got a string (\"7\")"
            ),
            (
                "direction = \"twoway\"", "config.invalid_value jobs[0].direction",
                "must be one of one-way, two-way, got \"twoway\" (did you mean \"two-way\"?)"
            ),
            (
                "conflict = \"source-wins\"", "config.invalid_value jobs[0].conflict",
                "must be one of from-wins, to-wins, newest-wins, got \"source-wins\""
            ),
            (
                "to_owns = [\"colour\"]", "config.invalid_value jobs[0].to_owns[0]",
                "unknown field \"colour\"; fields: title, description, location, start, end, status, participants, responses, custom, recurrence"
            ),
            (
                "apply_back = { update = false }", "config.invalid_value jobs[0].apply_back",
                "only two-way jobs write back: set direction = \"two-way\" or remove apply_back"
            ),
            (
                "apply = { create = \"yes\" }", "config.type jobs[0].apply.create",
                "expected true or false, got a string (\"yes\")"
            ),
            ("title_template = \"Appt {{#x}}\"", "config.invalid_value jobs[0].title_template", nil),
            (
                "phone_priority = [\"pager\"]", "config.invalid_value jobs[0].phone_priority[0]",
                "must be mobile, home or work, got \"pager\""
            ),
            (
                "match = [\"start_time\", \"titel\"]", "config.invalid_value jobs[0].match[1]",
                "unknown field \"titel\"; fields: start_time, end_time, title, content, location, status, "
                    + "participant_N_name, participant_N_email, participant_N_phone, or custom.NAME for a custom field "
                    + "(did you mean \"title\"?)"
            ),
            (
                "match = []", "config.invalid_value jobs[0].match",
                "the list is empty: name the fields a first link compares, e.g. [\"start_time\", \"title\"]"
            ),
            (
                "match = \"title\"", "config.type jobs[0].match",
                "expected an array of strings, got a string (\"title\")"
            ),
            (
                "mass_delete_percent = 150", "config.invalid_value jobs[0].mass_delete_percent",
                "must be between 0 and 100, got 150"
            ),
            ("mass_delete_min = 0", "config.invalid_value jobs[0].mass_delete_min", "must be ≥ 1, got 0"),
            ("mass_delete_min = \"3\"", "config.type jobs[0].mass_delete_min", nil),
            ("name = \"a b\"", "config.invalid_value jobs[0].name", nil),
        ] as [(String, String, String?)])
    func jobRules(line: String, expected: String, message: String?) {
        let text = variant("to = \"cal\"", "to = \"cal\"\n" + line).replacingOccurrences(
            of: "name = \"appointments\"\n", with: line.hasPrefix("name") ? "" : "name = \"appointments\"\n")
        let found = issues(text)
        #expect(found.codesAndPaths == [expected])
        if let message { #expect(found.first?.message == message) }
    }

    @Test func twoWayNeedsAWritableFromSide() {
        let readOnly = issues(variant("to = \"cal\"", "to = \"cal\"\ndirection = \"two-way\""))
        #expect(readOnly.codesAndPaths == ["config.capability jobs[0].direction"])
        let writable = issues(
            variant("query = \"SELECT 1\"", "query = \"SELECT 1\"\nupdate = \"UPDATE t\"")
                .replacingOccurrences(of: "to = \"cal\"", with: "to = \"cal\"\ndirection = \"two-way\""))
        #expect(writable.isEmpty)
        let toReadOnly = issues(validProfile + "\n[[jobs]]\nname = \"back\"\nfrom = \"cal\"\nto = \"db\"\n")
        #expect(toReadOnly.codesAndPaths == ["config.capability jobs[1].to"])
    }

    @Test func jobSideSettingsAreValidatedByTheConnector() {
        let missing = issues(variant("query = \"SELECT 1\"", ""))
        #expect(missing.codesAndPaths == ["config.missing_key jobs[0].source.query"])
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let text =
            variant("America/Chicago", "Mars/Olympus")
            .replacingOccurrences(of: "to = \"cal\"", with: "to = \"nowhere\"\nwindow = { past_days = -1 }")
            + "\ncolour = \"blue\"\n"
        let found = issues(text)
        #expect(
            Set(found.codesAndPaths) == [
                "config.invalid_value timezone", "config.unknown_connection jobs[0].to",
                "config.invalid_value jobs[0].window.past_days", "config.unknown_key jobs[0].source.colour",
            ])
    }

    @Test func issuesRenderAsFileKeyMessage() {
        let dir = ProfileDir()
        let found = issues(variant("to = \"cal\"", "to = \"cal\"\nwindow = { past_days = -3 }"), dir: dir)
        #expect(found.count == 1)
        #expect(found.last?.description == "\(dir.path)/clinic.toml: jobs[0].window.past_days: must be ≥ 0, got -3")
    }
}
