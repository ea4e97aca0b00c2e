import Foundation

/// Where the daemon writes its log lines: stderr, in logfmt or JSON (ARCHITECTURE.md §8). A worker's lines
/// are forwarded tagged with `profile=NAME pid=N`. Thread-safe.
public final class LogSink: @unchecked Sendable {  // @unchecked: writes are serialised by `lock`
    public enum Format: String, Sendable, CaseIterable { case logfmt, json }

    public let format: Format
    private let lock = NSLock()
    private let fd: Int32

    public init(format: Format, fd: Int32 = 2) {
        self.format = format
        self.fd = fd
    }

    /// One line of the daemon's own: `level`, `msg` and extra fields.
    public func log(_ level: String, _ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        write(render(level: level, message: message, fields: Array(fields)))
    }

    /// A line a worker wrote to stdout/stderr, as it is forwarded: time and tags first, then the
    /// line (a logfmt line as is; anything else as `stream=… msg="…"`). Returns the rendered line.
    public func forward(profile: String, pid: Int32, stream: String, line: String) -> String {
        let rendered: String
        let ts = Date().formatted(.iso8601)
        switch format {
        case .logfmt:
            let body = line.hasPrefix("level=") ? line : "stream=\(stream) msg=\(Self.quote(line))"
            rendered = "ts=\(ts) profile=\(profile) pid=\(pid) \(body)"
        case .json:
            let head = "{\"ts\":\"\(ts)\",\"profile\":\(Self.json(profile)),\"pid\":\(pid),"
            if line.hasPrefix("{\""), line.hasSuffix("}") {
                rendered = head + line.dropFirst()
            } else {
                rendered = head + "\"stream\":\"\(stream)\",\"msg\":\(Self.json(line))}"
            }
        }
        write(rendered)
        return rendered
    }

    func render(level: String, message: String, fields: [(String, String)]) -> String {
        let ts = Date().formatted(.iso8601)
        switch format {
        case .logfmt:
            var s = "ts=\(ts) level=\(level) msg=\(Self.quote(message))"
            for (k, v) in fields { s += " \(k)=\(Self.quote(v))" }
            return s
        case .json:
            var s = "{\"ts\":\"\(ts)\",\"level\":\"\(level)\",\"msg\":\(Self.json(message))"
            for (k, v) in fields { s += ",\(Self.json(k)):\(Self.json(v))" }
            return s + "}"
        }
    }

    /// Writes an already rendered line.
    public func emit(_ line: String) { write(line) }

    private func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        _ = writeAll(fd, bytes)
    }

    /// logfmt value quoting: bare when safe, else double-quoted with escapes.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty,
            !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.isNewline })
        {
            return value
        }
        var s = "\""
        for c in value {
            switch c {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            default: s.append(c)
            }
        }
        return s + "\""
    }

    /// A JSON string literal.
    public static func json(_ value: String) -> String {
        var s = "\""
        for u in value.unicodeScalars {
            switch u {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            default:
                if u.value < 0x20 { s += String(format: "\\u%04x", u.value) } else { s.unicodeScalars.append(u) }
            }
        }
        return s + "\""
    }
}
