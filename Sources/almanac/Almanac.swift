import AlmanacCore
import ArgumentParser
import Foundation

/// The `almanac` executable: every subcommand is a thin client of a library module.
///
/// Synchronous on the main thread: an async `main` runs on libdispatch's worker threads, and once
/// one exists libdispatch wakes its manager thread every second for the life of the process
/// (the pool monitor) — a thousand idle workers would wake a thousand times a second.
@main
struct Almanac: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Sync appointments between on-premises databases and files and cloud calendars.",
        discussion: "Profiles live in profiles.d/NAME.toml; see the reference profile shipped in profiles.d/.",
        version: AlmanacVersion.current,
        subcommands: [
            CheckCommand.self,
            NewCommand.self,
            TemplateCommand.self,
            AuthCommand.self,
            DaemonCommand.self,
            ShardOfCommand.self,
            StatusCommand.self,
            SyncCommand.self,
            RestartCommand.self,
            EnableCommand.self,
            DisableCommand.self,
            TestConnectionCommand.self,
            ConnectorsCommand.self,
            ConnectorTestCommand.self,
            NotifyTestCommand.self,
            LogsCommand.self,
            HistoryCommand.self,
            ConflictsCommand.self,
            ReloadCommand.self,
            RunCommand.self,
            WorkerSubcommand.self,
        ]
    )

    /// A UTF-8 LC_CTYPE before anything runs: ODBC drivers then hand text over as UTF-8 (ODBCTextTransfer).
    /// No signal blocked: a process inherits its parent's signal mask, and a parent that blocks
    /// SIGTERM (a test runner, some supervisors) would otherwise leave every subcommand deaf to it
    /// now that the main thread runs the command (an async `main` ran it on threads of its own).
    static func main() {
        setlocale(LC_CTYPE, "C.UTF-8")
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        if let code = WorkerSubcommand.runWithoutParser(CommandLine.arguments) { Foundation.exit(code) }
        main(nil)
    }
}
