import AlmanacHTTP
import FakeCalendars
import Foundation
import Testing

/// `almanac auth google_contacts` run as a process against the fake Google: the built binary, a
/// profile on disk, a code passed with --code.
@Suite("almanac auth google_contacts against the fake Google", .serialized, .timeLimit(.minutes(5)))
struct ContactsAuthCommandTests {
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["ALMANAC_BIN"] { return b }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/almanac").path
    }

    @Test func authStoresTheRefreshTokenOfAContactsConnection() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            if ProcessInfo.processInfo.environment["ALMANAC_REQUIRE_SERVICES"] == "1" {
                Issue.record("almanac binary missing at \(Self.binary)")
            }
            return
        }
        let server = try FakeServer(.google)
        server.auth.register(clientID: "contacts-client", secret: "contacts-auth-secret")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-gcauth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("state"), withIntermediateDirectories: true)
        try "contacts-auth-secret\n".write(
            to: dir.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        for name in ["in.csv", "out.csv"] {
            try "id,start\n".write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let profile = """
            timezone = "America/Chicago"

            [connections.src]
            connector = "csv"
            path      = "\(dir.appendingPathComponent("in.csv").path)"

            [connections.out]
            connector = "csv"
            path      = "\(dir.appendingPathComponent("out.csv").path)"

            [connections.phonebook]
            connector          = "google_contacts"
            base_url           = "\(server.baseURL)"
            token_url          = "\(server.tokenURL)"
            client_id          = "contacts-client"
            client_secret_file = "secret"

            [[jobs]]
            name = "copy"
            from = "src"
            to   = "out"
            """
        let file = dir.appendingPathComponent("clinic.toml")
        try profile.write(to: file, atomically: true, encoding: .utf8)
        let (status, text) = try Self.run([
            "auth", "google_contacts", "--connection", "phonebook", "--state", dir.appendingPathComponent("state").path,
            "--code", FakeAuth.authorizationCode, "--redirect-uri", "http://127.0.0.1", file.path,
        ])
        #expect(status == 0, "\(text)")
        #expect(text.contains("connection \"phonebook\" of profile clinic is authorized"))
        #expect(!text.contains("contacts-auth-secret"))
        let store = RefreshTokenStore(
            stateDirectory: dir.appendingPathComponent("state"), profile: "clinic", connection: "phonebook")
        let token = try #require(store.load())
        #expect(!text.contains(token))

        // The kind must be the connection's.
        let (wrong, message) = try Self.run([
            "auth", "google", "--connection", "phonebook", "--state", dir.appendingPathComponent("state").path,
            "--code", FakeAuth.authorizationCode, file.path,
        ])
        #expect(wrong == 64)
        #expect(message.contains("connection \"phonebook\" uses connector \"google_contacts\", not \"google\""))
    }

    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }
}
