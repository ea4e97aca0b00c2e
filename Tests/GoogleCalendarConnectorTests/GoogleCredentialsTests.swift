import AlmanacHTTP
import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

@testable import GoogleCalendarConnector

/// `credentials_file` in both forms Google hands out: the console's OAuth client JSON and the
/// `authorized_user` JSON of Google's own tools (which carries the refresh token).
@Suite("google credentials forms", .serialized, .timeLimit(.minutes(10)))
struct GoogleCredentialsTests {
    static let secret = "cred-secret-value"

    static func authorizedUser(refreshToken: String?) -> String {
        var object: [String: String] = [
            "type": "authorized_user", "client_id": "cred-client", "client_secret": secret,
        ]
        object["refresh_token"] = refreshToken
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func bothFormsParseAndOthersAreNamedWithoutValues() throws {
        #expect(
            try GoogleCredentials.parse(Self.authorizedUser(refreshToken: "rt-1")).get()
                == GoogleCredentials(clientID: "cred-client", clientSecret: Self.secret, refreshToken: "rt-1"))
        let installed = #"{"installed":{"client_id":"c","client_secret":"s","token_uri":"https://t.example/token"}}"#
        #expect(
            try GoogleCredentials.parse(installed).get()
                == GoogleCredentials(clientID: "c", clientSecret: "s", tokenURL: "https://t.example/token"))
        let web = #"{"web":{"client_id":"w","client_secret":"s"}}"#
        #expect(try GoogleCredentials.parse(web).get().clientID == "w")

        func problem(_ json: String) -> String? {
            if case .failure(let p) = GoogleCredentials.parse(json) { return p.message }
            return nil
        }
        let missing = problem(Self.authorizedUser(refreshToken: nil))
        #expect(
            missing
                == "credentials is an authorized_user JSON without refresh_token; write it again with "
                + "`gcloud auth application-default login`")
        #expect(missing?.contains(Self.secret) == false)
        #expect(
            problem(#"{"type":"service_account","private_key":"k"}"#)?.hasPrefix(
                "credentials has \"type\": \"service_account\"") == true)
        #expect(problem("not json")?.hasPrefix("credentials is not JSON") == true)
        #expect(problem(#"{"client_id":"c"}"#)?.hasPrefix("credentials has neither") == true)
    }

    /// The built binary: `almanac check` accepts an authorized_user file and names what a broken
    /// one lacks; `almanac run` syncs to the fake Google with it, no `almanac auth` before.
    @Test func checkAndRunWithAnAuthorizedUserFile() throws {
        guard BuiltAlmanac.isPresent else {
            if requireServices { Issue.record("almanac binary missing at \(BuiltAlmanac.path)") }
            return
        }
        let server = try FakeServer(.google)
        let rt = server.auth.register(clientID: "cred-client", secret: Self.secret)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-cred-\(UUID().uuidString)")
        let profiles = dir.appendingPathComponent("profiles")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try "external_id,title,start_time\nr1,Visit,\(start)\nr2,Check-up,\(start)\n"
            .write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        func profile(_ credentials: String) throws -> URL {
            try credentials.write(to: dir.appendingPathComponent("google.json"), atomically: true, encoding: .utf8)
            let file = profiles.appendingPathComponent("clinic.toml")
            try """
            timezone = "America/Chicago"
            [connections.src]
            connector = "csv"
            path      = "\(dir.appendingPathComponent("in.csv").path)"
            [connections.cal]
            connector        = "google"
            calendar_id      = "primary"
            base_url         = "\(server.baseURL)"
            token_url        = "\(server.tokenURL)"
            credentials_file = "../google.json"
            [[jobs]]
            name = "appointments"
            from = "src"
            to   = "cal"
            """.write(to: file, atomically: true, encoding: .utf8)
            return file
        }

        var file = try profile(Self.authorizedUser(refreshToken: nil))
        var check = try almanac(["check", file.path])
        #expect(check.code == 78, "\(check.out)")
        #expect(check.out.contains("connections.cal.credentials_file"), "\(check.out)")
        #expect(check.out.contains("authorized_user JSON without refresh_token"), "\(check.out)")
        #expect(!check.out.contains(Self.secret))
        check = try almanac(["check", "--json", file.path])
        #expect(check.out.contains("\"code\":\"google.credentials\""), "\(check.out)")

        file = try profile(Self.authorizedUser(refreshToken: rt))
        check = try almanac(["check", file.path])
        #expect(check.code == 0, "\(check.out)")

        let run = try almanac([
            "run", "clinic", "--profiles", profiles.path, "--state", dir.appendingPathComponent("state").path,
        ])
        #expect(run.code == 0, "\(run.out)")
        #expect(run.out.contains("2 created"), "\(run.out)")
        #expect(!run.out.contains(Self.secret) && !run.out.contains(rt))
        let titles = server.google!.events().compactMap { $0["summary"] as? String }.sorted()
        #expect(titles == ["Check-up", "Visit"])
        #expect(server.log.all.contains { $0.target.hasPrefix("/token") && $0.status == 200 })
    }

    func almanac(_ arguments: [String]) throws -> (code: Int32, out: String) {
        let r = try BuiltAlmanac.run(arguments)
        return (r.status, r.text)
    }
}
