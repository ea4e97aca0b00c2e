import AlmanacCore
import AlmanacWorker
import ArgumentParser
import Foundation
import Logging

/// `almanac run NAME`: the worker's code path without a daemon (cron, debugging, first set-up).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a profile's jobs once in the foreground and print a summary.",
        discussion: """
            Loads PROFILES/NAME.toml, runs each job (or only --job) once against the state in \
            STATE/NAME.sqlite, and prints one summary line per job plus every item that failed. \
            With --dry-run it prints the plan (one line per action: kind, side, key, reason, then \
            totals) and writes nothing; a first run (or --relink) lists the items it links \
            (`link`), the ones it cannot pair (`ambiguous`) and the ones it creates (`create`). \
            --json prints each job's report as one JSON object per line. Exits 0 when every job succeeded, 1 when any failed, was \
            blocked (mass-delete guard) or left items unsynced, or when another process (the \
            daemon's worker of the profile, another `almanac run`) holds the profile's lock \
            (STATE/NAME.lock; it is named), 64 on bad usage, 78 when the profile is invalid.
            """
    )

    @Argument(help: "The profile's name (PROFILES/NAME.toml).")
    var name: String

    @Option(help: "Run only this job.")
    var job: String?

    @Flag(help: "Print the plan and write nothing.")
    var dryRun = false

    @Flag(help: "Ignore stored cursors: list the whole window on both sides and reconcile.")
    var full = false

    @Option(
        help:
            ArgumentHelp(
                "Re-read changes since this instant (ISO 8601, e.g. 2030-03-01T08:00:00Z, "
                    + "or a date YYYY-MM-DD in the profile's zone).")
    )
    var since: String?

    @Flag(help: "Proceed even when the mass-delete guard would stop the run.")
    var allowMassDelete = false

    @Flag(
        help: ArgumentHelp(
            "Match the unlinked items of both sides (by the job's `match` fields) before creating any, "
                + "as on a job's first run."))
    var relink = false

    @Flag(help: "Print each job's report (and with --dry-run its plan) as JSON, one object per line.")
    var json = false

    @Option(help: "The profiles directory.")
    var profiles: String?

    @Option(help: "The state directory.")
    var state: String?

    func run() throws {
        let paths = AlmanacPaths.defaults()
        guard ProfileFile.isValidName(name) else {
            printError("almanac run: not a profile name: \"\(name)\" (1 to 64 letters and digits)")
            throw AlmanacExit.usage
        }
        let path = ((profiles ?? paths.profiles) as NSString).appendingPathComponent("\(name).toml")
        let loaded = ConnectorRegistry.loader.load(path: path)
        let profile: Profile
        switch loaded.result {
        case .success(let p): profile = p
        case .failure(let errors):
            for issue in errors.issues { printError(issue.description) }
            throw AlmanacExit.config
        }
        let jobs = job.map { [$0] } ?? profile.jobs.map(\.name)
        if let job, !profile.jobs.contains(where: { $0.name == job }) {
            printError(
                "almanac run: profile \(name) has no job \"\(job)\"; jobs: "
                    + profile.jobs.map(\.name).joined(separator: ", ")
            )
            throw AlmanacExit.usage
        }
        var sinceDate: Date?
        if let since {
            guard let d = Self.parseInstant(since, zone: profile.timeZone) else {
                printError("almanac run: --since: not an ISO 8601 instant or YYYY-MM-DD date: \"\(since)\"")
                throw AlmanacExit.usage
            }
            sinceDate = d
        }
        var logger = Logger(label: "almanac")
        logger.logLevel = .warning
        logger[metadataKey: "profile"] = "\(name)"
        let stateDirectory = state ?? paths.state
        let lock: ProfileLock
        let runner: JobRunner
        do {
            lock = try ProfileLock.acquire(profile: profile.name, stateDirectory: stateDirectory)
            runner = try JobRunner(
                profile: profile, stateDirectory: URL(fileURLWithPath: stateDirectory, isDirectory: true),
                logger: logger)
        } catch let error as AlmanacError {
            printError("almanac run: \(error.description)")
            throw AlmanacExit.failure
        }
        defer { withExtendedLifetime(lock) {} }
        let options = RunOptions(
            trigger: .manual, dryRun: dryRun, full: full, since: sinceDate,
            allowMassDelete: allowMassDelete, relink: relink)
        var ok = true
        for job in jobs {
            let result = try runner.execute(job: job, options: options)
            let policy = profile.jobs.first { $0.name == job }?.outbound
            let text =
                json
                ? RunSummary.json(result, dryRun: dryRun) + "\n"
                : RunSummary.text(result, dryRun: dryRun, policy: policy)
            print(text, terminator: "")
            if result.report.result != .success { ok = false }
        }
        if !dryRun { _ = try? runner.pruneHistory() }  // `[history] retention`, as the worker keeps it
        if !ok { throw AlmanacExit.failure }
    }

    /// ISO 8601 with a zone, or a plain date taken at 00:00 in `zone`.
    static func parseInstant(_ text: String, zone: TimeZone) -> Date? {
        if let d = try? Date(text, strategy: .iso8601) { return d }
        guard let day = CivilDate(iso: text) else { return nil }
        return EventTime.allDay(day).date(in: zone)
    }

    private func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
