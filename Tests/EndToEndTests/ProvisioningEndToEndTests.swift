import AlmanacSupervisor
import AlmanacWire
import FakeCalendars
import Foundation
import Testing

/// Profiles created from the shipped `sql-google` template, by `almanac new` and by
/// `POST /v1/profiles`, run by the daemon against the demo database and the fake Google Calendar;
/// then rescheduled, refused, disconnected and deleted through the provisioning API.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ProvisioningEndToEndTests {
    static let root = BinaryRunner.packageRoot
    static let templates = root.appendingPathComponent("templates.d").path

    /// The demo profile's values, pointed at `server` and `db`.
    static func values(_ server: FakeServer, db: String) -> [String: String] {
        [
            "timezone": "America/Chicago", "connection_string": "Driver=SQLite3;Database=\(db);",
            "google_base_url": server.baseURL, "google_token_url": server.baseURL + "/token",
            "client_id": "almanac-demo", "title_template": "{{appt_type}} with {{participant_0_name}}",
            "read_query": """
            SELECT a.id AS external_id, a.subject AS title, a.starts AS start_time, a.ends AS end_time,
                   a.room AS location, c.name AS participant_0_name, c.email AS participant_0_email, a.kind AS appt_type
            FROM appointments a JOIN clients c ON c.id = a.client_id
            WHERE a.starts >= :window_start AND a.starts < :window_end
            """,
            "on_confirmed": "UPDATE appointments SET confirmed = 1 WHERE id = :external_id",
        ]
    }

    struct Call {
        var status: Int
        var text: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    }

    @Test func profilesFromATemplateRunAndAreManagedThroughTheAPI() throws {
        let h = try DaemonHarness()
        let cliServer = try FakeServer(.google)
        let apiServer = try FakeServer(.google)
        defer {
            cliServer.stop()
            apiServer.stop()
        }
        let secret = "client-secret-\(UUID().uuidString)"
        let cliRefresh = cliServer.auth.register(clientID: "almanac-demo", secret: secret)
        let apiRefresh = apiServer.auth.register(clientID: "almanac-demo", secret: secret)
        let secrets = [secret, cliRefresh, apiRefresh]
        let db = h.root + "/clinic.db"
        _ = try DemoWriteBackTests.sqlite(
            db, ".read " + Self.root.appendingPathComponent("contrib/demo/clinic.sql").path)
        try h.start(arguments: ["--templates", Self.templates])
        var responses: [String] = []
        func call(_ method: String, _ path: String, _ body: Any? = nil) throws -> Call {
            let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
            let r = try h.client().request(method, path, body: bytes)
            responses.append(r.text)
            return Call(status: r.status, text: r.text)
        }

        // 1. `almanac new`: the daemon starts the dropped profile within 2 s, and it syncs the demo data.
        try secret.write(toFile: h.root + "/client-secret", atomically: true, encoding: .utf8)
        try cliRefresh.write(toFile: h.root + "/refresh", atomically: true, encoding: .utf8)
        var args = [
            "new", "viacli", "--template", "sql-google", "--profiles", h.profiles, "--templates", Self.templates,
            "--state", h.state, "--manual", "--secret", "client_secret=@\(h.root)/client-secret",
            "--secret", "refresh_token=@\(h.root)/refresh",
        ]
        for (k, v) in Self.values(cliServer, db: db) { args += ["--set", "\(k)=\(v)"] }
        let created = Date()
        let new = try h.cli(args, runtimeOption: false)
        #expect(new.code == 0, "\(new.out)\(new.err)")
        #expect(new.out == "created \(h.profiles)/viacli.toml from template sql-google\n")
        try h.waitReady("viacli", timeout: 2)
        #expect(Date().timeIntervalSince(created) < 2.5)
        let cliSync = try h.cli(["sync", "viacli", "--wait"])
        #expect(cliSync.code == 0, "\(cliSync.out)\(cliSync.err)")
        #expect(try #require(cliServer.google).events().count > 20)

        // 2. POST /v1/profiles: 201 with the status, started within 2 s, syncs the demo data.
        var body: [String: Any] = [
            "name": "viaapi", "template": "sql-google", "values": Self.values(apiServer, db: db),
            "secrets": ["client_secret": secret, "refresh_token": apiRefresh], "schedule": ["every": "1h"],
        ]
        let posted = Date()
        let create = try call("POST", "/v1/profiles", body)
        #expect(create.status == 201, "\(create.text)")
        #expect(create.json["name"] as? String == "viaapi")
        #expect(create.json["file"] as? String == h.profiles + "/viaapi.toml")
        try h.waitReady("viaapi", timeout: 2)
        #expect(Date().timeIntervalSince(posted) < 2.5)
        let sync = try call("POST", "/v1/profiles/viaapi/sync", ["wait": true])
        #expect(sync.status == 200 && sync.text.contains("\"event\":\"done\""), "\(sync.text)")
        #expect(try #require(apiServer.google).events().count > 20)

        // 3. PUT …/schedule: the next run moves to the time of day asked for.
        let before = try #require(try h.status("viaapi")?.nextRun)
        let put = try call("PUT", "/v1/profiles/viaapi/schedule", ["at": "03:17"])
        #expect(put.status == 200, "\(put.text)")
        var next: Date?
        try h.waitUntil("the next run moves", timeout: 10) {
            next = try h.status("viaapi")?.nextRun
            return next != nil && next != before
        }
        var chicago = Calendar(identifier: .gregorian)
        chicago.timeZone = TimeZone(identifier: "America/Chicago")!
        let parts = chicago.dateComponents([.hour, .minute], from: try #require(next))
        #expect(parts.hour == 3 && parts.minute == 17)
        #expect(try String(contentsOfFile: h.profiles + "/viaapi.toml", encoding: .utf8).contains("at = [\"03:17\"]"))
        // A hand-written profile is never rewritten.
        try h.writeProfile("manual")
        try h.waitUntil("manual is read", timeout: 5) { try h.status("manual") != nil }
        let handBefore = try Data(contentsOf: URL(fileURLWithPath: h.profiles + "/manual.toml"))
        let notManaged = try call("PUT", "/v1/profiles/manual/schedule", ["every": "15m"])
        #expect(notManaged.status == 409 && notManaged.json["code"] as? String == "profile.not_managed")
        let keptFile = try call("DELETE", "/v1/profiles/manual")
        #expect(keptFile.status == 409 && keptFile.json["code"] as? String == "profile.not_managed")
        #expect(FileManager.default.fileExists(atPath: h.profiles + "/manual.toml"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: h.profiles + "/manual.toml")) == handBefore)

        // 4. The same name again: 409. Three bad values: 422 listing all three.
        let again = try call("POST", "/v1/profiles", body)
        #expect(again.status == 409 && again.json["code"] as? String == "profile.exists", "\(again.text)")
        var bad = Self.values(apiServer, db: db) as [String: Any]
        bad["timezone"] = "Mars/Olympus"
        bad["past_days"] = "many"
        bad["every"] = "often"
        body["name"] = "invalid"
        body["values"] = bad
        let invalid = try call("POST", "/v1/profiles", body)
        #expect(invalid.status == 422 && invalid.json["code"] as? String == "profile.invalid", "\(invalid.text)")
        let problems = invalid.json["problems"] as? [[String: Any]] ?? []
        #expect(
            problems.compactMap { $0["key"] as? String }.sorted() == ["timezone", "values.every", "values.past_days"])
        #expect(problems.allSatisfy { ($0["message"] as? String)?.hasPrefix("template sql-google") == true })

        // 5. A create that fails after its secrets are written leaves nothing behind.
        try FileManager.default.createDirectory(
            atPath: h.profiles + "/.broken.toml.tmp", withIntermediateDirectories: false)
        body["name"] = "broken"
        body["values"] = Self.values(apiServer, db: db)
        let broken = try call("POST", "/v1/profiles", body)
        #expect(broken.status == 500 && broken.json["code"] as? String == "profile.write_failed", "\(broken.text)")
        #expect(!FileManager.default.fileExists(atPath: h.profiles + "/broken.toml"))
        #expect(!FileManager.default.fileExists(atPath: h.state + "/secrets/broken"))
        #expect(try h.status("broken") == nil)

        // 6. Disconnect: stopped, disabled, its tokens and secrets deleted, its sync state kept.
        let tokenFile = h.state + "/viaapi.calendar.oauth.json"
        if !FileManager.default.fileExists(atPath: tokenFile) {  // as `almanac auth` stores one
            try "{\"refresh_token\":\"\(apiRefresh)\"}".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        }
        #expect(FileManager.default.fileExists(atPath: h.state + "/secrets/viaapi/client_secret"))
        let disconnect = try call("POST", "/v1/profiles/viaapi/disconnect")
        #expect(disconnect.status == 200 && disconnect.json["ok"] as? Bool == true, "\(disconnect.text)")
        let after = try #require(try h.status("viaapi"))
        #expect(after.state == "disabled" && after.pid == nil)
        #expect(!FileManager.default.fileExists(atPath: tokenFile))
        #expect(!FileManager.default.fileExists(atPath: h.state + "/secrets/viaapi"))
        #expect(FileManager.default.fileExists(atPath: h.state + "/viaapi.sqlite"))

        // 7. DELETE ?purge=state: the file, its secrets and its state are gone.
        let delete = try call("DELETE", "/v1/profiles/viacli?purge=state")
        #expect(delete.status == 200, "\(delete.text)")
        #expect(try h.status("viacli") == nil)
        for gone in ["/viacli.sqlite", "/secrets/viacli"] {
            #expect(!FileManager.default.fileExists(atPath: h.state + gone), "\(gone)")
        }
        #expect(!FileManager.default.fileExists(atPath: h.profiles + "/viacli.toml"))
        #expect(try call("DELETE", "/v1/profiles/viacli").status == 404)

        // 8. Names that are not profile names never reach the file system.
        for path in ["/v1/profiles/..%2fx/schedule", "/v1/profiles/%2e%2e/schedule", "/v1/profiles/a.b/schedule"] {
            #expect(try call("PUT", path, ["manual": true]).status == 400, "\(path)")
        }
        #expect(try call("POST", "/v1/profiles", ["name": "../x", "template": "sql-google"]).status == 400)
        #expect(try call("POST", "/v1/profiles", ["name": "x", "template": "../sql-google"]).status == 400)
        let unknown = try call("POST", "/v1/profiles", ["name": "x", "template": "sql-google", "owner": "me"])
        #expect(unknown.status == 400 && (unknown.json["message"] as? String ?? "").contains("\"owner\""))

        // No secret in any answer or any log.
        h.stop()
        var logs = [try String(contentsOfFile: h.logPath, encoding: .utf8)]
        for f in (try? FileManager.default.contentsOfDirectory(atPath: h.state + "/logs")) ?? [] {
            logs.append(try String(contentsOfFile: h.state + "/logs/" + f, encoding: .utf8))
        }
        for text in responses + logs + [new.out, new.err, cliSync.out, cliSync.err] {
            for s in secrets { #expect(!text.contains(s)) }
        }
    }

    /// `almanac new` with each other shipped template writes a profile `almanac check` accepts;
    /// a secret can come from stdin; bad values are all printed and exit 78, leaving nothing.
    @Test func theOtherShippedTemplatesMakeValidProfiles() throws {
        let dir = TempDirectory("new")
        let profiles = dir.path + "/profiles.d", state = dir.path + "/state"
        try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
        let secret = "stdin-secret-\(UUID().uuidString)"
        func new(_ args: [String], stdin: String = "") throws -> (code: Int32, out: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: DaemonHarness.binary)
            p.arguments = ["new"] + args + ["--profiles", profiles, "--templates", Self.templates, "--state", state]
            let input = Pipe(), output = Pipe()
            p.standardInput = input
            p.standardOutput = output
            p.standardError = output
            try p.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: out, as: UTF8.self))
        }
        let cronofy = try new(
            [
                "studio", "--template", "sql-cronofy", "--set", "timezone=Europe/Berlin",
                "--set", "connection_string=Driver=SQLite3;Database=\(dir.path)/x.db;", "--set", "calendar_id=cal_x",
                "--set", "client_id=c", "--set", "read_query=SELECT 1", "--secret", "client_secret=-",
                "--every", "15m", "--jitter", "30s",
            ], stdin: secret + "\n")
        #expect(cronofy.code == 0, "\(cronofy.out)")
        #expect(try String(contentsOfFile: state + "/secrets/studio/client_secret", encoding: .utf8) == secret + "\n")
        let csv = try new(
            [
                "export", "--template", "csv-google", "--set", "timezone=UTC", "--set", "path=\(dir.path)/in.csv",
                "--set", "client_id=c", "--secret", "client_secret=-", "--disabled",
            ], stdin: secret)
        #expect(csv.code == 0, "\(csv.out)")
        let check = try BinaryRunner.run(["check", profiles])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("2 profiles checked: 2 valid, 0 invalid"), "\(check.stdout)")
        let text = try String(contentsOfFile: profiles + "/studio.toml", encoding: .utf8)
        #expect(text.contains("every = \"15m\"") && text.contains("jitter = \"30s\"") && !text.contains(secret))
        #expect(try String(contentsOfFile: profiles + "/export.toml", encoding: .utf8).contains("enabled = false"))

        let bad = try new(
            [
                "broken", "--template", "csv-google", "--set", "timezone=Nowhere/Land", "--set", "past_days=x",
                "--set", "delimiter=;;", "--set", "path=in.csv", "--set", "client_id=c", "--secret", "client_secret=-",
            ], stdin: secret)
        #expect(bad.code == 78, "\(bad.out)")
        for key in ["timezone", "values.past_days", "values.delimiter"] {
            #expect(bad.out.contains(": \(key): template csv-google"), "\(key): \(bad.out)")
        }
        #expect(!bad.out.contains(secret))
        #expect(!FileManager.default.fileExists(atPath: profiles + "/broken.toml"))
        #expect(!FileManager.default.fileExists(atPath: state + "/secrets/broken"))
    }
}
