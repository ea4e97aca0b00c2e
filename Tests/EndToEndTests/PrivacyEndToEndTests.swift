import Foundation
import Testing

/// `privacy`, `include` and `exclude` end to end: the built binary, a CSV source whose rows carry
/// distinctive private values, and `almanac-fakes` in its own process logging request bodies.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PrivacyEndToEndTests {
    /// The private values of the seeded rows: none may reach the calendar under `busy`.
    static let secrets = [
        "Quennell", "Philippa", "p.quennell@quennell-mail.example", "+1 312 555 0142", "3125550142",
        "Penicillin allergy noted Xylo-77", "Xylo-77", "Zephyr Room 9", "CHX-7781",
        "Brandvold", "Torstein", "torstein.b@brandvold-mail.example", "+1 773 555 0187", "7735550187",
        "Metformin 500mg Korvax", "Korvax", "Orchid Suite 3", "CHX-9904",
    ]

    /// Wall-clock text in America/Chicago, `days` from now at `hour`:00.
    static func local(days: Int, hour: Int) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "America/Chicago")!
        let day = cal.date(byAdding: .day, value: days, to: Date())!
        let c = cal.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02dT%02d:00", c.year!, c.month!, c.day!, hour)
    }

    static func csv(appointmentType r1Type: String = "visit") -> String {
        let header =
            "external_id,title,content,location,start_time,end_time,status,appt_type,chart,"
            + "participant_0_name,participant_0_email,participant_0_phone_mobile"
        let rows = [
            "R1,Quennell wrist review,Penicillin allergy noted Xylo-77,Zephyr Room 9,\(local(days: 1, hour: 10)),"
                + "\(local(days: 1, hour: 11)),confirmed,\(r1Type),CHX-7781,Philippa Quennell,"
                + "p.quennell@quennell-mail.example,+1 312 555 0142",
            "R2,Brandvold knee scan,Metformin 500mg Korvax,Orchid Suite 3,\(local(days: 2, hour: 14)),"
                + "\(local(days: 2, hour: 15)),confirmed,visit,CHX-9904,Torstein Brandvold,"
                + "torstein.b@brandvold-mail.example,+1 773 555 0187",
        ]
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    static func profile(_ calendar: String, job: String) -> String {
        """
        timezone = "America/Chicago"
        [schedule]
        manual = true
        [connections.src]
        connector = "csv"
        path = "../appointments.csv"
        settle = "0s"
        \(calendar)
        [[jobs]]
        name = "appts"
        from = "src"
        to = "cal"
        \(job)
        """
    }

    func googleConnection(_ fakes: FakesProcess) -> String {
        "[connections.cal]\nconnector = \"google\"\ncalendar_id = \"primary\"\n" + fakes.connectionSettings
    }

    func write(_ dir: TempDirectory, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
        try dir.write("profiles/clinic.toml", text, mode: 0o600)
    }

    /// The private values found in `text`.
    func leaked(_ text: String) -> [String] { Self.secrets.filter { text.contains($0) } }

    @Test func busyAndRedactedSendNoPrivateValueToGoogle() throws {
        let dir = TempDirectory("privacy-google")
        let fakes = try FakesProcess("google", in: dir)
        try dir.write("appointments.csv", Self.csv())
        try write(dir, Self.profile(googleConnection(fakes), job: "privacy = \"busy\""))

        let first = try fakes.run("clinic", in: dir)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("to: 2 created"), "\(first.stdout)")
        let log = try fakes.log()
        // The log holds the bodies sent (the events' times and the fixed title)…
        #expect(log.contains("\"body\""), "\(log)")
        #expect(log.contains("Busy"))
        #expect(log.contains("almanac"), "the origin stamp is sent")
        // …and none of the rows' private values.
        #expect(leaked(log) == [], "\(log)")
        var events = try fakes.googleEvents { $0.count == 2 }
        #expect(events.values.map { $0["summary"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["Busy", "Busy"])
        #expect(
            events.values.allSatisfy { $0["description"] == nil && $0["location"] == nil && $0["attendees"] == nil })
        let second = try fakes.run("clinic", in: dir)
        #expect(second.stdout.contains("to: 2 unchanged"), "\(second.stdout)")

        // Control: with privacy = "full" the same log shows the values (the search can find them),
        // and the events already synced are rewritten.
        try write(dir, Self.profile(googleConnection(fakes), job: "privacy = \"full\""))
        let full = try fakes.run("clinic", in: dir)
        #expect(full.stdout.contains("to: 2 updated"), "\(full.stdout)")
        #expect(
            Set(leaked(try fakes.log())).isSuperset(of: ["Quennell", "Penicillin allergy noted Xylo-77", "Korvax"]))

        // Back to busy: the already-synced events lose every private value on the next run.
        _ = try fakes.admin("DELETE", "/_fake/log")
        try write(dir, Self.profile(googleConnection(fakes), job: "privacy = \"busy\""))
        let busyAgain = try fakes.run("clinic", in: dir)
        #expect(busyAgain.stdout.contains("to: 2 updated"), "\(busyAgain.stdout)")
        #expect(leaked(try fakes.log()) == [])
        events = try fakes.googleEvents { $0.values.allSatisfy { $0["summary"] as? String == "Busy" } }
        #expect(events.count == 2)
        #expect(events.values.allSatisfy { $0["description"] == nil && $0["attendees"] == nil })

        // Redacted: the title from the template, no participant field, no description.
        _ = try fakes.admin("DELETE", "/_fake/log")
        try write(
            dir,
            Self.profile(
                googleConnection(fakes), job: "privacy = \"redacted\"\nredacted_title = \"{{appt_type}} appointment\""))
        let dry = try fakes.run("clinic", in: dir, ["--dry-run"])
        #expect(dry.stdout.contains("update  to    R1  changed in from"), "\(dry.stdout)")
        #expect(
            dry.stdout.contains(
                "  privacy redacted: to gets start, end and the title \"{{appt_type}} appointment\" only\n"),
            "\(dry.stdout)")
        let redacted = try fakes.run("clinic", in: dir)
        #expect(redacted.stdout.contains("to: 2 updated"), "\(redacted.stdout)")
        let redactedLog = try fakes.log()
        #expect(redactedLog.contains("visit appointment"))
        #expect(leaked(redactedLog) == [], "\(redactedLog)")
        events = try fakes.googleEvents { $0.values.allSatisfy { $0["summary"] as? String == "visit appointment" } }
        #expect(events.values.map { $0["summary"] as? String } == ["visit appointment", "visit appointment"])
        #expect(events.values.allSatisfy { $0["description"] == nil && $0["attendees"] == nil })
    }

    @Test func checkNamesEveryWrongKey() throws {
        let dir = TempDirectory("privacy-check")
        try dir.write("appointments.csv", Self.csv())
        let calendar = """
            [connections.cal]
            connector = "csv"
            path = "out.csv"
            """
        try write(
            dir,
            Self.profile(
                calendar,
                job: """
                    privacy = "secret"
                    redacted_title = "{{participant_0_name}}"
                    include = { stauts = ["confirmed"], appt_type = [] }
                    exclude = {}
                    """))
        let out = try BinaryRunner.run(["check", dir.path + "/profiles/clinic.toml"])
        #expect(out.status == 78)
        let file = dir.path + "/profiles/clinic.toml"
        let lines = out.stdout.split(separator: "\n").map(String.init)
        for key in [
            "jobs[0].privacy", "jobs[0].redacted_title", "jobs[0].include.stauts", "jobs[0].include.appt_type",
            "jobs[0].exclude",
        ] {
            #expect(lines.contains { $0.hasPrefix("\(file): \(key): ") }, "\(key) in \(lines)")
        }
        #expect(lines.count == 6, "\(lines)")
    }

    @Test func busySendsNoPrivateValueToCronofy() throws {
        let dir = TempDirectory("privacy-cronofy")
        let fakes = try FakesProcess("cronofy", in: dir, arguments: ["--cronofy-calendar", "cal_privacy"])
        try dir.write("appointments.csv", Self.csv())
        let calendar =
            "[connections.cal]\nconnector = \"cronofy\"\ncalendar_id = \"cal_privacy\"\n" + fakes.connectionSettings
        try write(dir, Self.profile(calendar, job: "privacy = \"busy\""))
        let run = try fakes.run("clinic", in: dir)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("to: 2 created"), "\(run.stdout)")
        let log = try fakes.log()
        #expect(log.contains("\"body\"") && log.contains("Busy"), "\(log)")
        #expect(leaked(log) == [], "\(log)")
        #expect(try fakes.run("clinic", in: dir).stdout.contains("to: 2 unchanged"))
    }

    @Test func aRowThatStopsMatchingIsDeletedOnlyWhenThisJobCreatedIt() throws {
        let dir = TempDirectory("privacy-filter")
        let fakes = try FakesProcess("google", in: dir)
        try dir.write("appointments.csv", Self.csv())
        // On the calendar before the job: made in Google's UI, not by almanac.
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
        let end = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400 + 3_600))
        let seeded = try fakes.admin(
            "POST", "/_fake/seed",
            body: "{\"summary\": \"Staff meeting\", \"start\": {\"dateTime\": \"\(start)\"}, "
                + "\"end\": {\"dateTime\": \"\(end)\"}}")
        let staffID = try #require(
            (try JSONSerialization.jsonObject(with: Data(seeded.utf8)) as? [String: Any])?["id"] as? String)
        let job = """
            direction = "two-way"
            apply_back = { create = true }
            include = { appt_type = ["visit"] }
            """
        try write(dir, Self.profile(googleConnection(fakes), job: job))
        let first = try fakes.run("clinic", in: dir)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("to: 2 created") && first.stdout.contains("from: 1 created"), "\(first.stdout)")
        var events = try fakes.googleEvents { $0.count == 3 }
        #expect(events.count == 3)

        // R1 stops matching; the row written back from the staff meeting never matched (no type).
        let written = try String(contentsOfFile: dir.path + "/appointments.csv", encoding: .utf8)
        let edited = written.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("R1,") ? line.replacingOccurrences(of: ",visit,", with: ",internal,") : String(line)
        }.joined(separator: "\n")
        #expect(edited != written)
        try dir.write("appointments.csv", edited)
        let dry = try fakes.run("clinic", in: dir, ["--dry-run"])
        #expect(dry.stdout.contains("  include: appt_type = \"visit\"\n"), "\(dry.stdout)")
        #expect(dry.stdout.contains("delete  to    R1  not included (include.appt_type)"), "\(dry.stdout)")
        #expect(
            dry.stdout.contains("not included (include.appt_type); left in to: not created by this job"),
            "\(dry.stdout)")
        let second = try fakes.run("clinic", in: dir)
        #expect(second.stdout.contains("to: 1 deleted, 1 skipped"), "\(second.stdout)")
        events = try fakes.googleEvents { $0.count == 2 }
        #expect(events.count == 2)
        #expect(events[staffID]?["summary"] as? String == "Staff meeting")
        #expect(events.values.map { $0["summary"] as? String }.contains("Brandvold knee scan"))
        #expect(!events.values.map { $0["summary"] as? String }.contains("Quennell wrist review"))
    }
}
