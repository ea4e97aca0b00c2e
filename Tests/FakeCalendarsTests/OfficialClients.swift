import AlmanacTestKit
import Foundation

/// Runs the conformance scripts of `contrib/conformance` (Google's and Cronofy's own client
/// libraries, in the venv `contrib/dev/pyenv` makes under `.build/pyenv`) against `almanac-fakes`
/// started as its own process on a loopback port.
enum OfficialClients {
    static var fakesBinary: URL {
        if let bin = ProcessInfo.processInfo.environment["ALMANAC_BIN"] {
            return URL(fileURLWithPath: bin).deletingLastPathComponent().appendingPathComponent("almanac-fakes")
        }
        return OfficialClientVenv.root.appendingPathComponent(".build/debug/almanac-fakes")
    }

    struct Check: Decodable {
        var check: String
        var ok: Bool
        var detail: String
    }

    /// Starts `almanac-fakes` for `service` with a conformance client (and a second one), runs
    /// `script` with `arguments` (`DIR` is replaced by a private temporary directory), and returns each check's
    /// result by name with the script's exit status and error output.
    static func run(service: String, script: String, arguments: [String]) throws -> (
        checks: [String: Check], status: Int32, stderr: String
    ) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-conformance-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (file, value) in [("secret", "conformance-secret"), ("secret2", "second-secret"), ("rt", "rt-conformance")]
        {
            try Data((value + "\n").utf8).write(to: dir.appendingPathComponent(file))
        }
        let fakes = Process()
        fakes.executableURL = fakesBinary
        fakes.arguments = [
            "--\(service)", "0", "--client-id", "conformance", "--client-secret-file", dir.path + "/secret",
            "--client", "second:" + dir.path + "/secret2", "--refresh-token-file", dir.path + "/rt",
            "--cronofy-calendar", "cal_conformance", "--log-file", dir.path + "/requests.jsonl",
        ]
        let out = dir.appendingPathComponent("fakes.out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        fakes.standardOutput = try FileHandle(forWritingTo: out)
        fakes.standardError = fakes.standardOutput
        try fakes.run()
        defer {
            kill(fakes.processIdentifier, SIGKILL)
            fakes.waitUntilExit()
        }
        let prefix = "\(service) fake listening on "
        var base: String?
        for _ in 0..<200 where base == nil && fakes.isRunning {
            let text = String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self)
            base = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
                .map { String($0.dropFirst(prefix.count).prefix { $0 != " " }) }
            if base == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        guard let base else {
            throw Failure("almanac-fakes did not start: \((try? String(contentsOf: out, encoding: .utf8)) ?? "")")
        }
        let clientArguments = [
            "--base", base, "--client-id", "conformance", "--client-secret-file", dir.path + "/secret",
            "--refresh-token-file", dir.path + "/rt",
        ]
        let run = try OfficialClientVenv.run(
            script, clientArguments + arguments.map { $0.replacingOccurrences(of: "DIR", with: dir.path) })
        var checks: [String: Check] = [:]
        for line in String(decoding: run.stdout, as: UTF8.self).split(separator: "\n") {
            if let c = try? JSONDecoder().decode(Check.self, from: Data(line.utf8)) { checks[c.check] = c }
        }
        return (checks, run.status, run.stderr)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
