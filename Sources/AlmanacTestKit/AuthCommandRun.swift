import Foundation

/// The built `almanac` binary run as a process, for the tests of `almanac auth` and the other
/// commands of a Google connection: `ALMANAC_BIN`, else the package's `.build/debug/almanac`.
public enum BuiltAlmanac {
    public static var path: String {
        if let b = ProcessInfo.processInfo.environment["ALMANAC_BIN"] { return b }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/almanac").path
    }

    /// Whether the binary is there (a test without it passes, or fails under
    /// `ALMANAC_REQUIRE_SERVICES=1`, as its suite says).
    public static var isPresent: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs it with `arguments` to its exit; its status and its stdout and stderr together.
    public static func run(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
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

/// `almanac auth KIND` against a fake OAuth server, the code passed with `--code`: a fresh
/// directory with a `state` directory, the client secret in the file `secret`, and a profile
/// `clinic.toml` (profile `clinic`) holding a csv → csv job and the connection under test.
public struct AuthCommandRun {
    public let directory: URL
    public let profile: URL
    public var state: URL { directory.appendingPathComponent("state") }

    /// - `connection`: the TOML table of the connection under test, `[connections.NAME]` included;
    ///   `client_secret_file = "secret"` finds `secret`.
    public init(label: String, secret: String, connection: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "almanac-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("state"), withIntermediateDirectories: true)
        try (secret + "\n").write(to: directory.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        for name in ["in.csv", "out.csv"] {
            try "id,start\n".write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        profile = directory.appendingPathComponent("clinic.toml")
        try """
        timezone = "America/Chicago"

        [connections.src]
        connector = "csv"
        path      = "\(directory.appendingPathComponent("in.csv").path)"

        [connections.out]
        connector = "csv"
        path      = "\(directory.appendingPathComponent("out.csv").path)"

        \(connection)

        [[jobs]]
        name = "copy"
        from = "src"
        to   = "out"
        """.write(to: profile, atomically: true, encoding: .utf8)
    }

    /// `almanac auth KIND --connection NAME --state … --code CODE --redirect-uri … clinic.toml`.
    public func auth(_ kind: String, connection: String, code: String) throws -> (status: Int32, text: String) {
        try BuiltAlmanac.run([
            "auth", kind, "--connection", connection, "--state", state.path, "--code", code, "--redirect-uri",
            "http://127.0.0.1", profile.path,
        ])
    }
}
