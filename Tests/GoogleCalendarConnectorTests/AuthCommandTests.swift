import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// `almanac auth google` run as a process against the fake Google: the built binary, a profile on
/// disk, a code passed with --code (the path used on machines without a browser).
@Suite("almanac auth against the fake Google", .serialized, .timeLimit(.minutes(5)))
struct AuthCommandTests {
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["ALMANAC_BIN"] { return b }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/almanac").path
    }

    @Test func authStoresTheRefreshTokenWhereTheConnectorFindsIt() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            if requireServices { Issue.record("almanac binary missing at \(Self.binary)") }
            return
        }
        let server = try FakeServer(.google)
        server.auth.register(clientID: "demo-client", secret: "auth-test-secret")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-authcmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("state"), withIntermediateDirectories: true)
        try "auth-test-secret\n".write(to: dir.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        try "id,start\n".write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let profile = """
            timezone = "America/Chicago"

            [connections.src]
            connector = "csv"
            path      = "\(dir.appendingPathComponent("in.csv").path)"

            [connections.cal]
            connector          = "google"
            calendar_id        = "primary"
            base_url           = "\(server.baseURL)"
            token_url          = "\(server.tokenURL)"
            client_id          = "demo-client"
            client_secret_file = "secret"

            [[jobs]]
            name = "appointments"
            from = "src"
            to   = "cal"
            """
        let file = dir.appendingPathComponent("clinic.toml")
        try profile.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = [
            "auth", "google", "--connection", "cal", "--state", dir.appendingPathComponent("state").path,
            "--code", FakeAuth.authorizationCode, "--redirect-uri", "http://127.0.0.1", file.path,
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("is authorized"))
        #expect(!text.contains("auth-test-secret"))
        let store = RefreshTokenStore(
            stateDirectory: dir.appendingPathComponent("state"), profile: "clinic", connection: "cal")
        let token = try #require(store.load())
        #expect(!text.contains(token))

        // A wrong code fails with exit 1 and says what to do.
        let q = Process()
        q.executableURL = URL(fileURLWithPath: Self.binary)
        q.arguments = [
            "auth", "google", "--connection", "cal", "--state", dir.appendingPathComponent("state").path,
            "--code", "wrong", file.path,
        ]
        let err = Pipe()
        q.standardError = err
        q.standardOutput = err
        try q.run()
        q.waitUntilExit()
        #expect(q.terminationStatus == 1)
        #expect(
            String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .contains("the authorization code was not accepted"))
    }
}
