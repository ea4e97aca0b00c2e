import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print a profile's recent log lines (kept by the daemon), or follow them.",
        discussion: """
            Lines come from the profile's log files (STATE/logs/NAME.log and its rotated files), so \
            they survive a daemon restart; --follow starts from the last 1000 lines the daemon holds \
            in memory. --since takes an RFC 3339 time (2026-12-03T05:00:00Z) or an age (30s, 10m, \
            2h, 1d, 1h30m). \
            --json prints the API's body, {"v":1,"lines":[…]}; with --follow, one {"v":1,"line":"…"} \
            object per line as it comes. Exit codes: 0; 1 for an unknown profile; 69 when the daemon \
            is unreachable.
            """)
    @Argument(help: "The profile.") var name: String
    @Option(help: "How many recent lines.") var tail = 100
    @Flag(help: "Keep printing new lines.") var follow = false
    @Option(help: "Only lines from this time on: RFC 3339 (2026-12-03T05:00:00Z) or an age (10m, 2h, 1d).")
    var since: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError(
                "--since takes an RFC 3339 time like 2026-12-03T05:00:00Z or an age like 10m, 2h, 1d; got \"\(since)\"")
        }
    }

    /// An RFC 3339 time, or an age (`30s`, `10m`, `2h`, `1d`, `1h30m`) before `now`.
    static func parseSince(_ text: String, now: Date) -> Date? {
        if let d = try? Date(text, strategy: .iso8601) { return d }
        var seconds = 0
        var number = ""
        for c in text {
            if c.isASCII, c.isNumber {
                number.append(c)
                continue
            }
            let unit = ["s": 1, "m": 60, "h": 3_600, "d": 86_400][String(c)]
            guard let unit, let n = Int(number), n <= 1_000_000 else { return nil }
            seconds += n * unit
            number = ""
        }
        guard number.isEmpty, !text.isEmpty else { return nil }
        return now.addingTimeInterval(-Double(seconds))
    }

    func run() throws {
        let from = since.flatMap { Self.parseSince($0, now: Date()) }.map {
            "&since=" + urlComponent($0.formatted(.iso8601))
        }
        let path =
            "/v1/profiles/\(urlComponent(name))/logs?tail=\(tail)" + (follow ? "&follow=1" : "") + (from ?? "")
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
