import Foundation
import Testing

@Suite("almanac check", .serialized, .timeLimit(.minutes(10)))
struct CheckCommandTests {
    static let secret = "Sup3r-Secret-Pa55"

    /// A valid profile over the real connector kinds; each broken file changes one thing.
    static func profile(_ replacements: [String: String] = [:], extra: String = "") -> String {
        var text = """
            timezone = "America/Chicago"

            [connections.db]
            connector = "odbc"
            connection_string = "Driver=SQLite3;Database=/tmp/almanac-check.db;"

            [connections.cal]
            connector = "google"
            calendar_id = "primary"

            [[jobs]]
            name = "appointments"
            from = "db"
            to = "cal"
            window = { past_days = 7, future_days = 30 }

            [jobs.source]
            read_query = "SELECT 1"
            """
        for (old, new) in replacements {
            precondition(text.contains(old))
            text = text.replacingOccurrences(of: old, with: new)
        }
        return extra + text
    }

    /// file name → the (code, key path) its single problem must produce.
    static let broken: [(String, String, [String: String], String, String)] = [
        ("syntax.toml", "", ["[connections.cal]": "[connections.cal"], "config.syntax", ""),
        ("unknownkey.toml", "colour = \"blue\"\n", [:], "config.unknown_key", "colour"),
        ("badzone.toml", "", ["America/Chicago": "America/Chicgo"], "config.invalid_value", "timezone"),
        ("negwindow.toml", "", ["past_days = 7": "past_days = -3"], "config.invalid_value", "jobs[0].window.past_days"),
        ("missingconn.toml", "", ["to = \"cal\"": "to = \"calendar\""], "config.unknown_connection", "jobs[0].to"),
        (
            "badkind.toml", "", ["connector = \"google\"": "connector = \"gcal\""], "config.unknown_connector",
            "connections.cal.connector"
        ),
        ("bad-name.toml", "", [:], "config.file_name", ""),
        (
            "inlinepw.toml", "",
            ["calendar_id = \"primary\"": "calendar_id = \"primary\"\nclient_secret = \"\(secret)\""],
            "config.inline_secret", "connections.cal.client_secret"
        ),
        (
            "inlinepwd.toml", "", ["Database=/tmp/almanac-check.db;": "Database=/tmp/almanac-check.db;PWD=\(secret);"],
            "config.inline_secret", "connections.db.connection_string"
        ),
        (
            "missingpw.toml", "",
            ["connector = \"odbc\"": "connector = \"odbc\"\npassword_file = \"/nonexistent/almanac/db-password\""],
            "config.secret_missing", "connections.db.password_file"
        ),
        (
            "nostring.toml", "", ["connection_string = \"Driver=SQLite3;Database=/tmp/almanac-check.db;\"\n": ""],
            "config.missing_key", "connections.db.connection_string"
        ),
        (
            "nocalendar.toml", "", ["calendar_id = \"primary\"\n": ""], "config.missing_key",
            "connections.cal.calendar_id"
        ),
    ]

    static func brokenDirectory() throws -> TempDirectory {
        let dir = TempDirectory("broken")
        for (name, extra, replacements, _, _) in broken {
            try dir.write(name, profile(replacements, extra: extra), mode: 0o644)
        }
        try dir.write("good.toml", profile(), mode: 0o644)
        try dir.write(".good.toml.swp", "not a profile", mode: 0o644)
        try dir.write("notes.txt", "not a profile", mode: 0o644)
        return dir
    }

    @Test func brokenProfilesGiveOneLinePerProblemAndExit78() throws {
        let dir = try Self.brokenDirectory()
        let out = try BinaryRunner.run(["check", dir.path])
        #expect(out.status == 78)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(dir.path)/good.toml: OK"))
        for (name, _, _, _, path) in Self.broken {
            let prefix = path.isEmpty ? "\(dir.path)/\(name): " : "\(dir.path)/\(name): \(path): "
            let matching = lines.filter { $0.hasPrefix(prefix) }
            #expect(matching.count == 1, "\(name): expected one line starting \(prefix), got \(matching)")
        }
        #expect(lines.last == "13 profiles checked: 1 valid, 12 invalid")
        #expect(lines.count == 14, "one line per problem, one OK, one summary: \(lines)")
        #expect(!out.stdout.contains(Self.secret) && !out.stderr.contains(Self.secret))
        #expect(!out.stdout.contains("notes.txt") && !out.stdout.contains(".swp"))
    }

    @Test func jsonNamesCodeAndKeyPath() throws {
        let dir = try Self.brokenDirectory()
        let out = try BinaryRunner.run(["check", "--json", dir.path])
        #expect(out.status == 78)
        #expect(!out.stdout.contains(Self.secret))
        struct Report: Decodable {
            struct Entry: Decodable {
                struct Problem: Decodable { var code, path, message: String }
                var name, file: String
                var valid: Bool
                var errors: [Problem]
            }
            var v: Int
            var valid: Bool
            var profiles: [Entry]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(out.stdout.utf8))
        #expect(report.v == 1 && !report.valid)
        let byFile = Dictionary(
            uniqueKeysWithValues: report.profiles.map { (($0.file as NSString).lastPathComponent, $0) })
        #expect(byFile["good.toml"]?.valid == true)
        for (name, _, _, code, path) in Self.broken {
            let errors = byFile[name]?.errors.map { "\($0.code) \($0.path)" }
            #expect(errors == ["\(code) \(path)"], "\(name)")
        }
    }

    @Test func shippedProfilesAreValid() throws {
        let out = try BinaryRunner.run(["check", "profiles.d"])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("profiles.d/reference.toml: OK"))
        #expect(out.stdout.contains("profiles.d/clinic.toml: OK"))
    }

    @Test func singleFileAndMissingPath() throws {
        let dir = TempDirectory("single")
        try dir.write("clinic.toml", Self.profile())
        let ok = try BinaryRunner.run(["check", dir.path + "/clinic.toml"])
        #expect(ok.status == 0)
        #expect(ok.stdout == "\(dir.path)/clinic.toml: OK\n1 profile checked: 1 valid, 0 invalid\n")

        let missing = try BinaryRunner.run(["check", dir.path + "/absent.toml"])
        #expect(missing.status == 78)
        #expect(missing.stdout.hasPrefix("\(dir.path)/absent.toml: cannot read the file"))
    }

    /// `quota_user` is a setting of `google` connections alone: on a connector without a per-user
    /// bucket it would change nothing, so `check` refuses it and says why.
    @Test func quotaUserOnlyWhereItHasAnEffect() throws {
        let dir = TempDirectory("quota-user")
        let user = "quota_user = \"ana@example.com\""
        try dir.write(
            "google.toml", Self.profile(["calendar_id = \"primary\"": "calendar_id = \"primary\"\n\(user)"]),
            mode: 0o644)
        for (file, kind) in [("contacts", "google_contacts"), ("cronofy", "cronofy")] {
            let extra = kind == "cronofy" ? "calendar_id = \"cal_1\"\n" : ""
            let other = "\n\n[connections.other]\nconnector = \"\(kind)\"\n\(extra)\(user)\n"
            try dir.write("\(file).toml", Self.profile() + other, mode: 0o644)
        }
        let out = try BinaryRunner.run(["check", dir.path])
        #expect(out.status == 78)
        func refused(_ file: String, _ kind: String) -> String {
            "\(dir.path)/\(file).toml: connections.other.quota_user: \(kind) has no per-user quota bucket"
                + " (only google, the Calendar API, has one): its requests count on \(kind):QUOTA_KEY alone;"
                + " remove quota_user (README \"Quota governor\")"
        }
        let expected = [
            refused("contacts", "google_contacts"), refused("cronofy", "cronofy"), "\(dir.path)/google.toml: OK",
            "3 profiles checked: 1 valid, 2 invalid",
        ]
        #expect(out.stdout.split(separator: "\n").map(String.init) == expected, "\(out.stdout)")
    }

    @Test func versionAndHelp() throws {
        let version = try BinaryRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = try BinaryRunner.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("check"))
        let usage = try BinaryRunner.run(["frobnicate"])
        #expect(usage.status == 64)
    }
}
