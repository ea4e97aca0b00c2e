import AlmanacCore
import AlmanacSupervisor
import AlmanacWire
import AlmanacWorker
import ArgumentParser
import Foundation

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "List a profile's schedule conflicts as of each job's last run.",
        discussion: """
            Jobs with conflicts = { by = [...] } keep, after each run, the appointments that overlap \
            and share a value of one of those fields. Asks the daemon when it runs the profile, else \
            reads the state file (--state). --json prints the API's body, \
            {"v":1,"profile":"…","count":N,"more":M,"conflicts":[…]}. Exit codes: 0 (with or \
            without conflicts); 1 for an unknown profile or job, or a profile that has no state file.
            """)
    @Argument(help: "The profile.") var name: String
    @Option(help: "Only this job's conflicts.") var job: String?
    @Option(help: "The state directory (read when the daemon does not run the profile).") var state: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var client: ClientOptions

    func run() throws {
        let list: ConflictList
        if let response = try fromDaemon() {
            if json { printBody(response) }
            try failOnError(response)
            if json { return }
            list = try Wire.decoder().decode(ConflictList.self, from: Data(response.body))
        } else {
            list = try fromStateFile()
            if json {
                print(String(decoding: try Wire.encoder().encode(list), as: UTF8.self))
                return
            }
        }
        if list.conflicts.isEmpty {
            print("no conflicts")
            return
        }
        var rows = [["JOB", "FIELD", "VALUE", "FIRST", "SECOND"]]
        for c in list.conflicts {
            rows.append([
                c.job, c.field, c.value, ConflictText.appointment(c.first), ConflictText.appointment(c.second),
            ])
        }
        printColumns(rows)
        if list.more > 0 { print("and \(list.more) more") }
    }

    /// The daemon's answer; nil when it is unreachable or does not run the profile.
    private func fromDaemon() throws -> ControlClient.Response? {
        var path = "/v1/profiles/\(urlComponent(name))/conflicts"
        if let job { path += "?job=\(urlComponent(job))" }
        guard let response = try? client.client().request("GET", path) else { return nil }
        if response.status == 409 || response.status == 404,
            let result = try? Wire.decoder().decode(ActionResult.self, from: Data(response.body)),
            result.code == .profileNotRunning || result.code == .profileNotFound
        {
            return nil
        }
        return response
    }

    private func fromStateFile() throws -> ConflictList {
        do {
            let all = try StoredConflicts.read(
                stateDirectory: state ?? AlmanacPaths.defaults().state, profile: name, job: job)
            return ConflictList(profile: name, count: all.count, conflicts: Array(all.prefix(ConflictList.maxCount)))
        } catch let error as AlmanacError {
            printError(error.message)
            throw AlmanacExit.failure
        }
    }
}
