import AlmanacSupervisor
import AlmanacWire
import ArgumentParser
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every profile's worker, or one profile's.",
        discussion: """
            --json prints the API's body as is (stable; documented in the README): {"v":1,"profiles":[…]} \
            for all, with "quota" (GET /v1/quota: the quota governor's buckets) added, one profile object \
            for NAME. Without NAME a table of the quota keys follows the profiles' once a key has been \
            asked for. Exit codes: 0; 3 when NAME is not running; 69 when \
            the daemon is unreachable.
            """
    )

    @Argument(help: "A profile name (default: every profile).") var name: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var client: ClientOptions

    func run() throws {
        let c = try client.client()
        let path = name.map { "/v1/profiles/\(urlComponent($0))" } ?? "/v1/profiles"
        let response = try callDaemon { try c.request("GET", path) }
        try failOnError(response)
        let quota = name == nil ? StatusQuota.fetch(c) : nil
        if json {
            let body = name == nil ? StatusQuota.joined(profiles: response.body, quota: quota) : response.body
            FileHandle.standardOutput.write(Data(body + [0x0A]))
        }
        let decoder = Wire.decoder()
        if let name {
            let s = try decoder.decode(ProfileStatus.self, from: Data(response.body))
            if !json { printDetail(s) }
            if !["ready", "idle", "syncing"].contains(s.state) {
                if !json { printError("\(name) is not running (\(s.state))") }
                throw AlmanacExit.notRunning
            }
            return
        }
        if json { return }
        // A thousand rows: read only what the table shows (the generic decoder when that fails).
        let rows =
            try StatusRow.rows(fromBody: response.body)
            ?? decoder.decode(StatusList.self, from: Data(response.body)).profiles.map(StatusRow.init)
        printTable(rows)
        StatusQuota.printTable(quota)
    }

    private func printTable(_ profiles: [StatusRow]) {
        if profiles.isEmpty {
            print("no profiles")
            return
        }
        var rows = [["PROFILE", "STATE", "HEALTH", "SINCE", "PID", "UPTIME", "RESTARTS", "LAST RUN", "NEXT RUN"]]
        for p in profiles {
            rows.append([
                p.name, p.state + (p.configError == nil ? "" : " (config error)"), p.health ?? "-", ago(p.since),
                p.pid.map(String.init) ?? "-", p.uptimeS.map(duration) ?? "-", String(p.restarts),
                p.lastRun.map { "\($0.job) \($0.result) \(ago($0.finished))" } ?? "-",
                p.retryInS.map { "retrying in \(duration($0))" } ?? p.nextRun.map(until) ?? "-",
            ])
        }
        printColumns(rows)
        for p in profiles {
            for e in p.configError ?? [] { print("\(p.name): config error: \(e)") }
            if p.configError != nil, let h = p.configHash {
                print("\(p.name): runs its last valid version (sha256 \(h.prefix(12))), not the file on disk")
            }
        }
    }

    private func printDetail(_ p: ProfileStatus) {
        print("\(p.name): \(p.state) since \(p.since.formatted(.iso8601)) (\(ago(p.since)))")
        if let pid = p.pid {
            print("  pid \(pid), up \(p.uptimeS.map(duration) ?? "-"), restarts \(p.restarts)")
        } else {
            print("  restarts \(p.restarts)")
        }
        if !p.enabled { print("  disabled") }
        if let job = p.job {
            print(
                "  running \(job)"
                    + (p.progress.map { " (\($0.phase) \($0.done)/\($0.total.map(String.init) ?? "?"))" } ?? ""))
        }
        if let h = p.health { print("  health: \(h)") }
        if let jobs = p.jobs {
            printJobs(jobs)
        } else if let r = p.lastRun {
            print("  last run: \(runLine(r))")
            if let e = r.error { print("    \(r.errorCode ?? "error"): \(e)") }
        }
        printConnections(p.connections ?? [])
        if let s = p.retryInS, let at = p.retryAt {
            print("  retrying in \(duration(s)) (\(at.formatted(.iso8601))): the last run failed for a passing reason")
        }
        if let n = p.nextRun { print("  next run: \(n.formatted(.iso8601)) (\(until(n)))") }
        if let e = p.lastError { print("  last error: \(e)") }
        if let h = p.configHash {
            print(
                "  config: sha256 \(h)"
                    + (p.configError == nil ? "" : " (the last valid version, not the file on disk)"))
        }
        for e in p.configError ?? [] { print("  config error: \(e)") }
    }
}

func duration(_ s: Int) -> String {
    s < 60
        ? "\(s)s"
        : s < 3_600
            ? "\(s / 60)m\(s % 60)s"
            : s < 86_400 ? "\(s / 3_600)h\(s % 3_600 / 60)m" : "\(s / 86_400)d\(s % 86_400 / 3_600)h"
}

func ago(_ d: Date) -> String { duration(max(0, Int(-d.timeIntervalSinceNow))) + " ago" }
func until(_ d: Date) -> String { "in " + duration(max(0, Int(d.timeIntervalSinceNow))) }
