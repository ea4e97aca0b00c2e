import AlmanacTestKit
import Foundation
import Testing

/// `contrib/dev/notify-receiver` run with the venv's Python (aiosmtpd): a loopback SMTP server
/// and webhook receiver that write what they get into `dir`.
final class NotifyReceiver {
    let dir: String
    let process = Process()
    private let stdin = Pipe()
    private(set) var smtpPort = 0
    private(set) var httpPort = 0

    /// Whether the test can run: the venv is there, or services are required (then it fails).
    static var enabled: Bool { OfficialClientVenv.enabled }

    init(dir: String, arguments: [String] = []) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        process.executableURL = OfficialClientVenv.python
        process.arguments =
            [OfficialClientVenv.root.appendingPathComponent("contrib/dev/notify-receiver").path, dir]
            + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        struct Ports: Decodable {
            var smtp_port: Int
            var http_port: Int
        }
        let ports = try JSONDecoder().decode(Ports.self, from: line)
        smtpPort = ports.smtp_port
        httpPort = ports.http_port
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    private func files(_ prefix: String, _ suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) && !$0.hasSuffix(".meta.json") }
            .sorted {
                Int($0.dropFirst(prefix.count).dropLast(suffix.count)) ?? 0 < Int(
                    $1.dropFirst(prefix.count).dropLast(suffix.count)) ?? 0
            }
            .map { dir + "/" + $0 }
    }

    /// The mails received, in order (headers and body).
    var mails: [String] { files("mail-", ".eml").map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" } }
    /// The mails' envelopes and logins.
    var mailMeta: [[String: Any]] { files("mail-", ".json").map(Self.object) }
    /// The webhook bodies answered 2xx, in order.
    var webhooks: [Data] { files("webhook-", ".json").compactMap { FileManager.default.contents(atPath: $0) } }
    /// Per webhook body: whether its signature was valid, and the headers.
    var webhookMeta: [[String: Any]] {
        files("webhook-", ".json").map { Self.object($0.replacingOccurrences(of: ".json", with: ".meta.json")) }
    }
    var webhookAttempts: Int {
        Int((try? String(contentsOfFile: dir + "/webhook-attempts", encoding: .utf8)) ?? "0") ?? 0
    }

    static func object(_ path: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
