import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print a profile's recent log lines (kept by the daemon), or follow them.")
    @Argument(help: "The profile.") var name: String
    @Option(help: "How many recent lines.") var tail = 100
    @Flag(help: "Keep printing new lines.") var follow = false
    @OptionGroup var client: ClientOptions

    func run() throws {
        let path = "/v1/profiles/\(urlComponent(name))/logs?tail=\(tail)" + (follow ? "&follow=1" : "")
        if follow {
            let c = try client.client(timeout: 86_400 * 365)
            var status = 0
            var errorBody: [UInt8] = []
            try callDaemon {
                try c.stream("GET", path, status: { status = $0 }) { chunk in
                    if status >= 400 { errorBody += chunk } else { FileHandle.standardOutput.write(Data(chunk)) }
                    return true
                }
            }
            try failOnError(ControlClient.Response(status: status, body: errorBody))
            return
        }
        let c = try client.client()
        let response = try callDaemon { try c.request("GET", path) }
        try failOnError(response)
        for line in try Wire.decoder().decode(LogLines.self, from: Data(response.body)).lines { print(line) }
    }
}
