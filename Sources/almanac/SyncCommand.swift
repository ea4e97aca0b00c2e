import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation
import Glibc

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Ask a profile's worker to run its jobs now.",
        discussion: """
            A sync asked for while one runs is queued behind it (coalesced). With --wait, prints \
            progress on a terminal and each run's result, and exits 0 when every run succeeded, 1 \
            otherwise; 3 when the profile is not running; 69 when the daemon is unreachable. \
            --allow-mass-delete lets the run that the mass-delete guard stopped go through, once.
            """
    )

    @Argument(help: "The profile.") var name: String
    @Option(help: "Run only this job.") var job: String?
    @Option(help: "Re-read what changed since this instant (ISO 8601).") var since: String?
    @Flag(help: "Ignore stored cursors: list the whole window.") var full = false
    @Flag(help: "Plan only: write nothing.") var dryRun = false
    @Flag(help: "Let this one run through the mass-delete guard (the next runs are guarded again).")
    var allowMassDelete = false
    @Flag(help: "Wait for the result and print it.") var wait = false
    @Flag(help: "Print the streamed events as JSON lines (with --wait).") var json = false
    @OptionGroup var client: ClientOptions

    func run() throws {
        var sinceDate: Date?
        if let since {
            guard let d = try? Date(since, strategy: .iso8601) else {
                throw ValidationError("--since takes an ISO 8601 instant like 2026-01-31T00:00:00Z, got \(since)")
            }
            sinceDate = d
        }
        let request = SyncRequest(
            job: job, since: sinceDate, full: full, dryRun: dryRun, allowMassDelete: allowMassDelete, wait: wait)
        let body = try Array(Wire.encoder().encode(request))
        let c = try client.client(timeout: wait ? 3_600 : 30)
        let path = "/v1/profiles/\(urlComponent(name))/sync"
        if !wait {
            let response = try callDaemon { try c.request("POST", path, body: body) }
            try failOnError(response)
            let result = try? Wire.decoder().decode(ActionResult.self, from: Data(response.body))
            print("\(name): \(result?.message ?? "sync requested")")
            return
        }
        var status = 0
        var pending: [UInt8] = []
        var errorBody: [UInt8] = []
        var allOK = true
        var sawRun = false
        var failure: String?
        let tty = isatty(1) == 1
        let decoder = Wire.decoder()
        try callDaemon {
            try c.stream("POST", path, body: body, status: { status = $0 }) { chunk in
                if status >= 400 {
                    errorBody += chunk
                    return true
                }
                pending += chunk
                while let nl = pending.firstIndex(of: 0x0A) {
                    let line = Array(pending[..<nl])
                    pending.removeFirst(nl + 1)
                    if json { print(String(decoding: line, as: UTF8.self)) }
                    guard let event = try? decoder.decode(SyncEvent.self, from: Data(line)) else { continue }
                    switch event.event {
                    case "queued": if !json { print("\(name): queued behind the running sync") }
                    case "progress":
                        if tty && !json, let p = event.progress {
                            let text =
                                "\r\(event.job ?? ""): \(p.phase) \(p.done)/\(p.total.map(String.init) ?? "?")\u{1B}[K"
                            FileHandle.standardOutput.write(Data(text.utf8))
                        }
                    case "run":
                        sawRun = true
                        if let r = event.run {
                            if r.result != "success" { allOK = false }
                            if !json {
                                if tty { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
                                var s =
                                    "\(name)/\(r.job): \(r.result) in \(r.durationMS) ms; "
                                    + "to: \(r.to.summary); from: \(r.from.summary)"
                                if let e = r.error { s += "\n  \(r.errorCode ?? "error"): \(e)" }
                                print(s)
                            }
                        }
                    case "error": failure = event.error ?? "the sync failed"
                    default: break
                    }
                }
                return true
            }
        }
        if status >= 400 {
            try failOnError(ControlClient.Response(status: status, body: errorBody))
        }
        if let failure {
            printError("\(name): \(failure)")
            throw AlmanacExit.failure
        }
        if !sawRun || !allOK { throw AlmanacExit.failure }
    }
}
