import AlmanacCore
import AlmanacTestKit
import AlmanacWorker
import ArgumentParser
import Foundation
import Logging

struct ConnectorTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connector-test",
        abstract: "Run the connector conformance suite against a plugin; exits 0 only when every check passes.",
        discussion: """
            Starts COMMAND as an exec connector would, checks its hello and spec, then runs every check of \
            the suite every built-in connector passes, each with a fresh plugin process over an emptied store \
            (test_reset), seeding and inspecting the store with test_seed and test_dump. A check whose \
            capability the plugin lacks is skipped. Exit status: 0 every applicable check passed, 1 a check \
            failed, 2 usage (no command, unreadable settings file).
            """)

    @Option(help: "The plugin's connection settings: a TOML file (.toml) or a JSON object (.json).")
    var settings: String?

    @Option(help: "The profile time zone the plugin is configured with.")
    var timeZone = "UTC"

    @Flag(help: "The plugin keeps no item versions: skip the checks that need them.")
    var noVersions = false

    @Flag(help: "A reused create id may make a second item: skip the check that it never does.")
    var noDeterministicCreates = false

    @Argument(parsing: .postTerminator, help: "The plugin's program and arguments, after --.")
    var command: [String] = []

    func run() throws {
        guard !command.isEmpty else { throw usage("give the plugin's command after --, e.g. -- python3 plugin.py") }
        guard let zone = TimeZone(identifier: timeZone) else { throw usage("unknown time zone \(timeZone)") }
        let table: ConfigTable
        do {
            table = try settings.map(PluginSettingsFile.load) ?? ConfigTable()
        } catch let e as PluginSettingsFile.Unusable {
            throw usage(e.message)
        }
        var report = ConformanceReport()
        guard let plan = preflight(table, &report) else {
            report.finish()
            throw AlmanacExit.failure
        }
        for check in ConnectorConformance.checks { report.record(check.name, run(check, plan: plan, table, zone)) }
        report.finish()
        if report.failed > 0 { throw AlmanacExit.failure }
    }

    /// What the checks need to know about the plugin, learnt before the first.
    struct Plan {
        var seedsInvalidItems: Bool
    }

    /// Hello, spec, settings against the spec, the `test` capability, `test_seed_invalid`: each
    /// recorded as a check. Nil when the suite cannot run.
    func preflight(_ table: ConfigTable, _ report: inout ConformanceReport) -> Plan? {
        let described: (PluginDescription, settings: [SettingSpec])
        do {
            described = try PluginSession.describe(command)
        } catch {
            report.record("the plugin says hello and gives its settings", .failed(Self.reason(error)))
            return nil
        }
        let (hello, spec) = described
        print(
            "plugin \(hello.name) \(hello.version) (protocol \(hello.protocolVersion)), capabilities: "
                + hello.capabilities.joined(separator: ", "))
        report.record("the plugin says hello and gives its settings", .passed)
        let mismatches = PluginSettingsFile.mismatches(table, spec: spec, almanac: PluginSession.almanacSettings)
        guard mismatches.isEmpty else {
            report.record("the settings match the plugin's spec", .failed(mismatches.joined(separator: "; ")))
            return nil
        }
        report.record("the settings match the plugin's spec", .passed)
        guard hello.capabilities.contains("test") else {
            report.record(
                "the plugin implements the test messages",
                .failed("its hello has no capability test: implement test_reset, test_seed and test_dump"))
            return nil
        }
        do {
            let session = try PluginSession(
                command: command, settings: table, directory: Self.workingDirectory, timeZone: .gmt, logger: Self.log)
            try session.reset()
            let invalid = (try? session.seedInvalid()) != nil
            report.record("the plugin implements the test messages", .passed)
            return Plan(seedsInvalidItems: invalid)
        } catch {
            report.record("the plugin implements the test messages", .failed(Self.reason(error)))
            return nil
        }
    }

    /// One check, with a fresh plugin process over an emptied store.
    func run(_ check: ConformanceCheck, plan: Plan, _ table: ConfigTable, _ zone: TimeZone) -> ConformanceReport.Result
    {
        do {
            let session = try PluginSession(
                command: command, settings: table, directory: Self.workingDirectory, timeZone: zone, logger: Self.log)
            try session.reset()
            let fixture = ConformanceFixture(
                connector: session.connector, window: ConnectorConformance.defaultWindow, seed: session.seed,
                stored: session.dump, deterministicCreates: !noDeterministicCreates, versions: !noVersions,
                seedInvalid: plan.seedsInvalidItems ? session.seedInvalid : nil)
            if let why = check.skipReason(fixture) { return .skipped(why) }
            try check.run(fixture)
            return .passed
        } catch {
            return .failed(Self.reason(error))
        }
    }

    static func reason(_ error: any Error) -> String {
        if let e = error as? ConformanceFailure { return e.message }
        if let e = error as? AlmanacError { return "\(e.code.rawValue): \(e.message)" }
        return "\(error)"
    }

    static var workingDirectory: URL { URL(fileURLWithPath: FileManager.default.currentDirectoryPath) }

    /// Info: the plugin's stderr lines (forwarded at info) reach the author's terminal.
    static var log: Logger {
        var logger = Logger(label: "almanac.connector-test")
        logger.logLevel = .info
        return logger
    }

    func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("almanac connector-test: \(message)\n".utf8))
        return ExitCode(2)
    }
}

/// The per-check lines `connector-test` prints, and the totals.
struct ConformanceReport {
    enum Result {
        case passed
        case failed(String)
        case skipped(String)
    }

    var passed = 0
    var failed = 0
    var skipped = 0

    mutating func record(_ name: String, _ result: Result) {
        switch result {
        case .passed:
            passed += 1
            print("PASS  \(name)")
        case .failed(let why):
            failed += 1
            print("FAIL  \(name): \(why)")
        case .skipped(let why):
            skipped += 1
            print("SKIP  \(name): \(why)")
        }
        fflush(nil)  // each line as it is decided, when piped too
    }

    func finish() {
        print("\(passed) passed, \(failed) failed, \(skipped) skipped")
    }
}
