import FakeCalendars
import Foundation

/// A fake Google Calendar with an OAuth client registered on it, for profiles run by the built
/// binary: the client secret lives in a file of the test's directory, the refresh token in an
/// environment variable the runs are given.
struct FakeGoogleAccount {
    let server: FakeServer
    let google: GoogleFake
    let clientID: String
    let secretFile: String
    let refreshToken: String
    static let tokenVariable = "ALMANAC_TEST_GOOGLE_REFRESH_TOKEN"

    init(in dir: TempDirectory, clientID: String) throws {
        server = try FakeServer(.google)
        google = server.google!
        self.clientID = clientID
        let secret = "\(clientID)-secret-\(UUID().uuidString)"
        refreshToken = server.auth.register(clientID: clientID, secret: secret)
        try dir.write("client-secret", secret, mode: 0o600)
        secretFile = dir.path + "/client-secret"
    }

    /// The `[connections.NAME]` table of a google connection to this calendar.
    func connection(_ name: String) -> String {
        """
        [connections.\(name)]
        connector = "google"
        calendar_id = "primary"
        base_url = "\(server.baseURL)"
        token_url = "\(server.baseURL)/token"
        client_id = "\(clientID)"
        client_secret_file = "\(secretFile)"
        refresh_token_env = "\(Self.tokenVariable)"
        """
    }

    /// Writes `dir/profiles/NAME.toml`.
    func writeProfile(_ name: String, in dir: TempDirectory, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: dir.path + "/profiles", withIntermediateDirectories: true)
        try dir.write("profiles/\(name).toml", text)
    }

    /// `almanac run PROFILE` with `dir/profiles` and `dir/state`.
    func run(_ profile: String, in dir: TempDirectory) throws -> BinaryRunner.Output {
        try BinaryRunner.run(
            ["run", profile, "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"],
            environment: [Self.tokenVariable: refreshToken])
    }
}
