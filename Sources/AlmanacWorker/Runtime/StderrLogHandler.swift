import Foundation
import Logging

/// A worker's log lines on stderr, logfmt (`level=info msg="…" key=value`) or JSON; the daemon
/// tags and forwards them.
struct StderrLogHandler: LogHandler {
    let label: String
    let json: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        let fields = self.metadata.merging(extra ?? [:]) { $1 }.sorted { $0.key < $1.key }
        var s: String
        if json {
            s = "{\"level\":\(Self.jsonString(level.rawValue)),\"msg\":\(Self.jsonString(message.description))"
            for (k, v) in fields { s += ",\(Self.jsonString(k)):\(Self.jsonString(v.description))" }
            s += "}"
        } else {
            s = "level=\(level.rawValue) msg=\(Self.quote(message.description))"
            for (k, v) in fields { s += " \(k)=\(Self.quote(v.description))" }
        }
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    static func quote(_ v: String) -> String {
        if !v.isEmpty, !v.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return v }
        return "\""
            + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    static func jsonString(_ v: String) -> String {
        let data = (try? JSONEncoder().encode(v)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
