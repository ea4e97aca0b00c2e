import AlmanacCore
import AlmanacNotify
import AlmanacSync
import AlmanacWire
import Foundation
import Glibc
import Logging

extension WorkerRuntime {
    /// The worker template's warm-up (`WorkerTemplate`): the steps of a worker's start, once, on a
    /// profile of its own in a temporary directory (a CSV job, a time zone, a schedule), then the
    /// directory is removed. A worker forked afterwards finds what those steps fill in the
    /// template's memory already there: the Swift runtime's type metadata and protocol
    /// conformances (each first lookup scans the whole binary's conformance records), the
    /// dynamic linker's bindings, SQLite's and the time zone's first-use set-up; and it makes the
    /// image new state files are written from (`StateStore.makeNewFileImage`). Profiled before
    /// this (`perf record` of 1,000 forked starts), those first uses were the largest part of a
    /// forked worker's own CPU. Runs on the calling thread and starts no other (the state store is
    /// left open for that); a step that fails only leaves less warm.
    static func warmUp() {
        var template = Array((NSTemporaryDirectory() + "/almanac-template-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { return }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "almanac.template") { _ in SwiftLogNoOpLogHandler() }
        let path = directory + "/warmup.toml"
        let text = """
            timezone = "Europe/Paris"
            [schedule]
            every = "1h"
            [connections.src]
            connector = "csv"
            path = "\(directory)/in.csv"
            [connections.dst]
            connector = "csv"
            path = "\(directory)/out.csv"
            [[jobs]]
            name = "main"
            from = "src"
            to = "dst"

            """
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]),
            case .success(let profile) = ConnectorRegistry.loader.load(path: path).result
        else { return }
        _ = try? Wire.line(
            PipeMessage.hello(
                .init(
                    pid: getpid(), profile: profile.name, version: AlmanacVersion.current,
                    configHash: profile.configHash)))
        // The image of a new state file, for every worker forked from here on (kept open, as the
        // runner below is); the runner's own state file is then made from it.
        if let made = try? StateStore.makeNewFileImage(in: directory) {
            _ = Unmanaged.passRetained(made.store)
            StateStore.useNewFileImage(made.image)
        }
        guard let lock = try? ProfileLock.acquire(profile: profile.name, stateDirectory: directory) else { return }
        withExtendedLifetime(lock) {
            guard
                let runner = try? JobRunner(
                    profile: profile, stateDirectory: URL(fileURLWithPath: directory), logger: logger)
            else { return }
            _ = try? runner.pruneHistory()
            let next = runner.nextRun(after: Date())
            _ = RunNotifications(profile: profile, stateDirectory: directory, logger: logger)
            _ = try? Wire.line(PipeMessage.ready(readyMessage(runner.store, profile: profile, nextRun: next)))
            _ = IdleHeartbeat.line(nextRun: next)
            // Kept open for the template's life: closing the store starts threads (GRDB closes
            // its connection through a dispatch queue), and a template must keep one thread.
            _ = Unmanaged.passRetained(runner)
        }
    }
}
