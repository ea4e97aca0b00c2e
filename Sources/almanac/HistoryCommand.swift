import AlmanacCore
import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List a profile's recent runs from its state file, newest first.",
        discussion: """
            Dry runs are not kept. Runs older than the profile's [history] retention (default 90 days) \
            are deleted. --json prints the API's body, {"v":1,"profile":"…","runs":[…]}. Exit codes: \
            0; 1 for an unknown profile or job; 3 when the profile is not running; 64 for a bad \
            --limit; 69 when the daemon is unreachable.
            """)
    @Argument(help: "The profile.") var name: String
    @Option(help: "Only this job's runs.") var job: String?
    @Option(help: "How many runs (1 to 500).") var limit = 20
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
    }

    func run() throws {
        var path = "/v1/profiles/\(urlComponent(name))/runs?limit=\(limit)"
        if let job { path += "&job=\(urlComponent(job))" }
        let c = try client.client()
        let response = try callDaemon { try c.request("GET", path) }
        if json { printBody(response) }
        try failOnError(response)
        if json { return }
        let history = try Wire.decoder().decode(RunHistory.self, from: Data(response.body))
        if history.runs.isEmpty {
            print("no runs")
            return
        }
        var rows = [["STARTED", "JOB", "TRIGGER", "DURATION", "RESULT", "TO", "FROM", "ERROR"]]
        for r in history.runs {
            rows.append([
                (r.started ?? r.finished).formatted(.iso8601), r.job, r.trigger ?? "-",
                String(format: "%.1fs", Double(r.durationMS) / 1000), r.result, counts(r.to), counts(r.from),
                r.errorCode ?? "-",
            ])
        }
        printColumns(rows)
    }

    /// `+3 ~1 -0` (created, updated, deleted), with confirmed/cancelled/failed when there are any.
    private func counts(_ c: ActionCounts) -> String {
        var text = "+\(c.created) ~\(c.updated) -\(c.deleted)"
        if c.confirmed > 0 { text += " confirmed \(c.confirmed)" }
        if c.cancelled > 0 { text += " cancelled \(c.cancelled)" }
        if c.failed > 0 { text += " failed \(c.failed)" }
        return text
    }
}
