import AlmanacTestKit
import Foundation

/// The reference exec connectors of `contrib/connectors` and the loopback servers their tests
/// run: the rest plugin's API (`server.py`) and a static file server for ics feeds.
enum ReferencePlugins {
    static let root = BinaryRunner.packageRoot.appendingPathComponent("contrib/connectors")
    /// The ics plugin's command: the venv's Python (it has `icalendar`) and the script.
    static var ics: [String] {
        [OfficialClientVenv.python.path, root.appendingPathComponent("ics/ics_connector.py").path]
    }
    /// The rest plugin's command (standard library only: the system's python3).
    static var rest: [String] { [root.appendingPathComponent("rest/rest_connector.py").path] }

    /// A Python server on loopback, stopped on deinit: started with `arguments`, its base URL read
    /// from the first line it prints (`… http://127.0.0.1:PORT…`).
    final class Server {
        let process = Process()
        let baseURL: String

        init(_ arguments: [String], directory: URL? = nil) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-u"] + arguments
            process.currentDirectoryURL = directory
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while !line.contains(0x0A) {
                let more = out.fileHandleForReading.availableData
                if more.isEmpty { break }
                line.append(more)
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let start = text.range(of: "http://127.0.0.1:") else {
                kill(process.processIdentifier, SIGKILL)
                throw ServerFailed(description: "the server printed \"\(text)\" instead of its address")
            }
            let port = text[start.upperBound...].prefix { $0.isNumber }
            baseURL = "http://127.0.0.1:\(port)"
        }

        deinit {
            // SIGKILL: a child spawned from a test thread may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    struct ServerFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// The rest plugin's API on a free loopback port, requiring bearer `token`.
    static func restServer(token: String) throws -> Server {
        try Server([root.appendingPathComponent("rest/server.py").path, "--token", token])
    }

    /// A static HTTP server for the files of `directory`.
    static func fileServer(_ directory: URL) throws -> Server {
        try Server(["-m", "http.server", "--bind", "127.0.0.1", "0"], directory: directory)
    }

    /// One HTTP request with curl; the body of the answer. Throws on an HTTP error status.
    @discardableResult
    static func http(
        _ method: String, _ url: String, token: String? = nil, headers: [String] = [], body: Any? = nil
    ) throws -> Any? {
        var args = ["-sS", "--fail-with-body", "-X", method, url]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        for h in headers { args += ["-H", h] }
        if body != nil { args += ["-H", "Content-Type: application/json", "--data-binary", "@-"] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args
        let input = Pipe(), out = Pipe()
        p.standardInput = input
        p.standardOutput = out
        try p.run()
        if let body { input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: body)) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw ServerFailed(description: "\(method) \(url): \(String(decoding: data, as: UTF8.self))")
        }
        return data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data)
    }
}
