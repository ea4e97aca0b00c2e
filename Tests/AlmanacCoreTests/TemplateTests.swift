import Foundation
import Testing

@testable import AlmanacCore

/// Templates: the TOML writer, the renderer, and the shipped templates against the demo profiles.
@Suite(.timeLimit(.minutes(10)))
struct TemplateTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func parse(_ text: String) throws -> ConfigTable {
        switch ConfigTable.parse(toml: text, file: "t.toml") {
        case .success(let t): return t
        case .failure(let issue): throw issue
        }
    }

    static func shipped(_ path: String) throws -> ConfigTable {
        try parse(String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
    }

    @Test(arguments: [
        "plain", "", "quote \" and backslash \\ and \\\"", "line\nbreak\n", "\n\nleading", "ends with quote\"",
        "\"\"\"\nenabled = false\n\"\"\"", "tab\tcr\rbell\u{7}del\u{7F}nul-free", "'''literal'''", "ünïcødé ✓ 😀",
        "x\"\n[connections.evil]\nconnector = \"odbc\"",
    ])
    func aStringReadsBackAsWritten(_ s: String) throws {
        let table = ConfigTable(["key": .string(s), "nested": .table(ConfigTable(["k": .string(s)]))])
        let text = TOMLWriter.write(table)
        #expect(try Self.parse(text) == table, "\(text)")
    }

    @Test func everyShapeReadsBackAsWritten() throws {
        let job = ConfigTable([
            "name": .string("a"), "window": .table(ConfigTable(["past_days": .integer(7), "chunk_days": .integer(7)])),
            "source": .table(ConfigTable(["read_query": .string("SELECT 1\nFROM t\n")])),
            "to_owns": .array([.string("responses")]),
        ])
        let table = ConfigTable([
            "timezone": .string("UTC"), "enabled": .bool(false), "ratio": .float(0.5), "whole": .float(2),
            "schedule": .table(ConfigTable()), "weird key": .string("v"),
            "connections": .table(ConfigTable(["db": .table(ConfigTable(["connector": .string("odbc")]))])),
            "jobs": .array([.table(job), .table(job)]),
        ])
        #expect(try Self.parse(TOMLWriter.write(table)) == table)
    }

    /// The shipped templates, given the demo's values (and the demo's secret file as the secret's
    /// file), render exactly the profiles `make demo` runs.
    @Test(arguments: [
        (
            "sql-google", "profiles.d/clinic.toml", "client_secret",
            [
                "timezone": "America/Chicago", "every": "1m", "jitter": "5s",
                "connection_string": "Driver=SQLite3;Database=.build/demo/clinic.db;",
                "google_base_url": "http://127.0.0.1:18080", "google_token_url": "http://127.0.0.1:18080/token",
                "client_id": "almanac-demo", "refresh_token_env": "ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN",
                "title_template": "{{appt_type}} with {{participant_0_name}}",
            ]
        ),
        (
            "sql-cronofy", "profiles.d/studio.toml", "client_secret",
            [
                "timezone": "Europe/Berlin", "every": "2m", "jitter": "10s",
                "connection_string": "Driver=SQLite3;Database=.build/demo/clinic.db;", "calendar_id": "cal_demo_studio",
                "cronofy_base_url": "http://127.0.0.1:18081", "client_id": "almanac-demo",
                "refresh_token_env": "ALMANAC_DEMO_CRONOFY_REFRESH_TOKEN", "job": "classes", "past_days": "1",
                "future_days": "14",
            ]
        ),
    ])
    func theDemoProfilesAreRenderedFromTheShippedTemplates(
        _ name: String, _ demoPath: String, _ secret: String, _ given: [String: String]
    ) throws {
        let template = try ProfileTemplate.load(path: Self.root.appendingPathComponent("templates.d/\(name).toml").path)
            .get()
        let demo = try Self.shipped(demoPath)
        var values = given.mapValues { ConfigValue.string($0) }
        // The queries, taken from the demo profile itself.
        guard case .array(let jobs)? = demo["jobs"], case .table(let job)? = jobs.first else {
            Issue.record("\(demoPath) has no [[jobs]]")
            return
        }
        let source = job.table("source") ?? ConfigTable()
        for key in source.keys { values[key] = source[key] }
        let checked = TemplateValues.check(template, values: values, secrets: [secret: [1]], file: "x.toml")
        #expect(checked.problems.isEmpty, "\(checked.problems)")
        let demoSecret = try #require(
            demo.table("connections")?.keys.compactMap {
                demo.table("connections")?.table($0)?.string("client_secret_file")
            }
            .first)
        let (rendered, _) = TemplateRenderer(
            template: template, values: checked.values, secretPaths: [secret: demoSecret]
        )
        .render()
        #expect(rendered == demo)
        #expect(try Self.parse(TOMLWriter.write(rendered)) == demo)
    }

    @Test func everyShippedTemplateLoadsAndDeclaresWhatItUses() throws {
        let dir = Self.root.appendingPathComponent("templates.d").path
        let all = ProfileTemplate.loadDirectory(dir)
        #expect(all.count == 3)
        for entry in all {
            let t = try entry.get()
            // Every parameter appears in the profile part, and every secret is required or optional, never defaulted.
            let text = try String(contentsOfFile: t.path, encoding: .utf8)
            for p in t.parameters {
                #expect(text.contains("{{\(p.name)}}"), "\(t.name): \(p.name) is declared but not used")
                #expect(!p.secret || p.defaultValue == nil)
            }
            #expect(!t.description.isEmpty)
        }
    }

    @Test func aBrokenTemplateIsReportedWithEveryProblem() throws {
        let path = NSTemporaryDirectory() + "broken-\(UUID().uuidString.prefix(8)).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
        timezone = "{{zone}}"
        [template]
        descripton = "typo"
        [template.parameters.zone]
        type = "colour"
        [template.parameters.Bad]
        pattern = "("
        [template.parameters.key]
        secret = true
        default = "x"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let issues = try #require(ProfileTemplate.load(path: path).failure?.issues)
        #expect(issues.allSatisfy { $0.code == .templateInvalid })
        #expect(
            issues.map(\.path).sorted() == [
                "template.descripton", "template.parameters.Bad", "template.parameters.Bad.pattern",
                "template.parameters.key.default", "template.parameters.zone.type",
            ])
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
