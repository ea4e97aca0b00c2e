import Foundation
import Testing

/// `almanac-fakes` started as its own process on loopback, with one OAuth client whose secret and
/// refresh token live in files of the test's directory, the request log keeping bodies
/// (`--log-bodies`) and the events kept in a state file.
final class FakesProcess {
    let service: String
    let baseURL: String
    let port: UInt16
    let secretFile: String
    let refreshToken: String
    let stateFile: String
    private let process: Process
    static let clientID = "almanac-privacy"
    static let tokenVariable = "ALMANAC_TEST_FAKES_REFRESH_TOKEN"

    static var binary: String {
        URL(fileURLWithPath: BinaryRunner.almanac).deletingLastPathComponent().appendingPathComponent("almanac-fakes")
            .path
    }

    /// Starts the fake of `service` (`google` or `cronofy`) with `arguments` added.
    init(_ service: String, in dir: TempDirectory, arguments: [String] = []) throws {
        self.service = service
        secretFile = dir.path + "/fakes-secret"
        refreshToken = "rt-\(UUID().uuidString)"
        stateFile = dir.path + "/fakes-state.json"
        try dir.write("fakes-secret", "secret-\(UUID().uuidString)\n", mode: 0o600)
        try dir.write("fakes-rt", refreshToken + "\n", mode: 0o600)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            [
                "--\(service)", "0", "--client-id", Self.clientID, "--client-secret-file", secretFile,
                "--refresh-token-file", dir.path + "/fakes-rt", "--log-bodies", "--state-file", stateFile,
            ] + arguments
        let out = dir.url.appendingPathComponent("fakes.out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = process.standardOutput
        try process.run()
        let prefix = "\(service) fake listening on "
        var base: String?
        for _ in 0..<200 where base == nil {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                base = line.dropFirst(prefix.count).split(separator: " ").first.map(String.init)
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let base, let port = base.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw FakesFailure("almanac-fakes did not start: \((try? String(contentsOf: out, encoding: .utf8)) ?? "")")
        }
        self.baseURL = base
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The connection settings naming this fake and its client (without `connector` and the calendar).
    var connectionSettings: String {
        """
        base_url = "\(baseURL)"
        token_url = "\(baseURL)\(service == "google" ? "/token" : "/oauth/token")"
        client_id = "\(Self.clientID)"
        client_secret_file = "\(secretFile)"
        refresh_token_env = "\(Self.tokenVariable)"
        """
    }

    /// `almanac run PROFILE [extra…]` with `dir/profiles` and `dir/state`.
    func run(_ profile: String, in dir: TempDirectory, _ extra: [String] = []) throws -> BinaryRunner.Output {
        try BinaryRunner.run(
            ["run", profile, "--profiles", dir.path + "/profiles", "--state", dir.path + "/state"] + extra,
            environment: [Self.tokenVariable: refreshToken])
    }

    /// An admin call (`GET /_fake/log`, `DELETE /_fake/log`, `POST /_fake/seed`): the answer's body.
    func admin(_ method: String, _ path: String, body: String = "") throws -> String {
        let answer = try ConsoleAPITests.raw(
            .tcp(port),
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let parts = answer.components(separatedBy: "\r\n\r\n")
        try #require(parts[0].hasPrefix("HTTP/1.1 200"), "\(method) \(path): \(parts[0])")
        return parts.dropFirst().joined(separator: "\r\n\r\n")
    }

    /// The request log as JSON lines (`GET /_fake/log`).
    func log() throws -> String { try admin("GET", "/_fake/log") }

    /// The events of the Google fake's `calendar` as the fake keeps them (its state file, written
    /// every second): live events by id, as their JSON resources. Waits until `until` holds.
    func googleEvents(calendar: String = "primary", until: ([String: [String: Any]]) -> Bool) throws
        -> [String: [String: Any]]
    {
        var events: [String: [String: Any]] = [:]
        for _ in 0..<100 {
            events = [:]
            if let data = FileManager.default.contents(atPath: stateFile),
                let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                let google = root["google"] as? [String: Any],
                let calendars = google["calendars"] as? [String: Any],
                let records = calendars[calendar] as? [String: [String: Any]]
            {
                for (id, r) in records where (r["deleted"] as? Bool) != true {
                    let json = r["json"] as? [String: Any] ?? [:]
                    if json["status"] as? String != "cancelled" { events[id] = json }
                }
                if until(events) { return events }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return events
    }
}

struct FakesFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
