import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print a profile's recent log lines (kept by the daemon), or follow them.",
        discussion: """
            --json prints the API's body, {"v":1,"lines":[…]}; with --follow, one {"v":1,"line":"…"} \
            object per line as it comes. Exit codes: 0; 1 for an unknown profile; 69 when the daemon \
            is unreachable.
            """)
    @Argument(help: "The profile.") var name: String
    @Option(help: "How many recent lines.") var tail = 100
    @Flag(help: "Keep printing new lines.") var follow = false
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var client: ClientOptions

    func run() throws {
        let path = "/v1/profiles/\(urlComponent(name))/logs?tail=\(tail)" + (follow ? "&follow=1" : "")
        if follow {
            let c = try client.client(timeout: 86_400 * 365)
            var status = 0
            var errorBody: [UInt8] = []
            var pending: [UInt8] = []
            let encoder = Wire.encoder()
            try callDaemon {
                try c.stream("GET", path, status: { status = $0 }) { chunk in
                    if status >= 400 {
                        errorBody += chunk
                    } else if !json {
                        FileHandle.standardOutput.write(Data(chunk))
                    } else {
                        pending += chunk
                        while let nl = pending.firstIndex(of: 0x0A) {
                            let line = String(decoding: pending[..<nl], as: UTF8.self)
                            pending.removeFirst(nl + 1)
                            let object = (try? encoder.encode(LogLine(line: line))) ?? Data()
                            FileHandle.standardOutput.write(object + Data([0x0A]))
                        }
                    }
                    return true
                }
            }
            let failed = ControlClient.Response(status: status, body: errorBody)
            if json && status >= 400 { printBody(failed) }
            try failOnError(failed)
            return
        }
        let c = try client.client()
        let response = try callDaemon { try c.request("GET", path) }
        if json { printBody(response) }
        try failOnError(response)
        if json { return }
        for line in try Wire.decoder().decode(LogLines.self, from: Data(response.body)).lines { print(line) }
    }
}
