import Foundation

/// The Python venv with Google's and Cronofy's official client libraries (`contrib/dev/pyenv`
/// installs it at `.build/pyenv`; `make test` does) and the scripts of `contrib/conformance`.
public enum OfficialClientVenv {
    /// The package root (from this file's path).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The venv's interpreter (`ALMANAC_PYENV` names another venv).
    public static var python: URL {
        let env = ProcessInfo.processInfo.environment["ALMANAC_PYENV"]
        return URL(fileURLWithPath: env ?? root.appendingPathComponent(".build/pyenv").path)
            .appendingPathComponent("bin/python")
    }

    /// `contrib/conformance`, where the scripts live.
    public static var scripts: URL { root.appendingPathComponent("contrib/conformance") }

    public static let required = ProcessInfo.processInfo.environment["ALMANAC_REQUIRE_SERVICES"] == "1"

    /// Tests using the venv run when it is there, and fail (not skip) without it under
    /// `ALMANAC_REQUIRE_SERVICES=1`.
    public static var enabled: Bool { required || FileManager.default.isExecutableFile(atPath: python.path) }

    public static let missing = "no venv at .build/pyenv (contrib/dev/pyenv; make test installs it)"

    /// Runs `script` (in `contrib/conformance`) with `arguments`; returns its exit status, its
    /// standard output, and its error output. Throws when the venv is missing.
    public static func run(_ script: String, _ arguments: [String]) throws -> (
        status: Int32, stdout: Data, stderr: String
    ) {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw VenvMissing(description: "no Python venv at \(python.path): run contrib/dev/pyenv .build/pyenv")
        }
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-py-\(UUID()).err")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let py = Process()
        py.executableURL = python
        py.currentDirectoryURL = scripts
        py.arguments = [script] + arguments
        let stdout = Pipe()
        py.standardOutput = stdout
        py.standardError = try FileHandle(forWritingTo: errFile)
        try py.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        py.waitUntilExit()
        return (py.terminationStatus, data, (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }

    public struct VenvMissing: Error, CustomStringConvertible {
        public var description: String
    }
}
