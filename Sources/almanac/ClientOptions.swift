import AlmanacCore
import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

/// How a CLI command reaches the daemon: the unix socket in the runtime directory (default), or
/// `--url http://127.0.0.1:PORT` with `--token-file`.
struct ClientOptions: ParsableArguments {
    @Option(help: "The daemon's runtime directory (holds almanac.sock).")
    var runtime: String?

    @Option(help: "Reach the daemon over TCP instead: http://127.0.0.1:PORT.")
    var url: String?

    @Option(help: "File holding the bearer token for --url.")
    var tokenFile: String?

    func client(timeout: Double = 30) throws -> ControlClient {
        if let url {
            let rest = url.hasPrefix("http://") ? String(url.dropFirst(7)) : url
            let hostPort = rest.split(separator: "/").first.map(String.init) ?? rest
            let parts = hostPort.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                throw ValidationError("--url takes http://127.0.0.1:PORT, got \(url)")
            }
            let token = try tokenFile.map {
                try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return ControlClient(endpoint: .tcp(host: String(parts[0]), port: port, token: token), timeout: timeout)
        }
        let dir = runtime ?? AlmanacPaths.defaults().runtime
        return ControlClient(endpoint: .unix(path: dir + "/almanac.sock"), timeout: timeout)
    }
}

/// Runs a request and turns transport and API failures into ARCHITECTURE.md §7 exit codes.
func callDaemon<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AlmanacError {
        printError(error.message)
        throw AlmanacExit.unavailable
    }
}

/// Exits with the code that matches an error answer of the API (after printing its message).
func failOnError(_ response: ControlClient.Response) throws {
    guard response.status >= 400 else { return }
    let result = try? Wire.decoder().decode(ActionResult.self, from: Data(response.body))
    printError(result?.message ?? "the daemon answered HTTP \(response.status)")
    switch result?.code {
    case .profileNotRunning?: throw AlmanacExit.notRunning
    case .apiUnauthorized?: throw AlmanacExit.unavailable
    default: throw AlmanacExit.failure
    }
}

/// Prints a JSON answer's body as one line on stdout (`--json`); nothing when it has none.
func printBody(_ response: ControlClient.Response) {
    guard !response.body.isEmpty else { return }
    var body = response.body
    while body.last == 0x0A { body.removeLast() }
    FileHandle.standardOutput.write(Data(body + [0x0A]))
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("almanac: \(message)\n".utf8))
}

/// Percent-encodes a profile name or value for a URL path or query.
func urlComponent(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
}
