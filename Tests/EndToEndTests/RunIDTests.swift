import AlmanacSupervisor
import Foundation
import Testing

/// One run has one id: the worker makes it where the run starts, and the status (from
/// `run_finished`), the worker's log lines and the run history all carry that same id.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RunIDTests {
    /// The `run_id=…` values of the logfmt lines whose message is `message` (and, in the daemon's
    /// log, which come from `alpha`'s worker).
    static func runIDs(in log: String, message: String, daemonLog: Bool = true) -> [String] {
        log.split(separator: "\n").filter {
            $0.contains("msg=\"\(message)\"") && (!daemonLog || $0.contains("profile=alpha"))
        }.compactMap { line in
            guard let r = line.range(of: "run_id=") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != " " })
        }
    }

    static func history(_ h: DaemonHarness) throws -> [String] {
        try DemoWriteBackTests.sqlite(h.state + "/alpha.sqlite", "SELECT run_id FROM runs ORDER BY started")
    }

    /// A worker spawned as the daemon spawns it, driven over its pipes: `run_started`,
    /// `run_finished`, the "run started"/"run finished" log lines and the run history agree.
    @Test func theWorkerSendsLogsAndStoresOneIDPerRun() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        try "external_id,title,start_time\nr1,Visit,\(start)\n"
            .write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        let worker = try ProcessSpawner.spawn(
            path: DaemonHarness.binary,
            arguments: ["worker", "--profile", "alpha", "--profiles", h.profiles, "--state", h.state],
            environment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" })
        defer {
            close(worker.eventFD)
            close(worker.stdoutFD)
            close(worker.stderrFD)
            var status: Int32 = 0
            waitpid(worker.pid, &status, 0)
        }
        let command = Array("{\"v\":1,\"type\":\"sync\",\"id\":\"t1\"}\n".utf8)
        #expect(write(worker.commandFD, command, command.count) == command.count)
        var events = "", logs = ""
        let deadline = Date().addingTimeInterval(30)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline && !events.contains("\"batch_done\":true") {
            var fds = [
                pollfd(fd: worker.eventFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: worker.stderrFD, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&fds, 2, 200) > 0 else { continue }
            for (i, p) in fds.enumerated() where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                guard n > 0 else { continue }
                if i == 0 {
                    events += String(decoding: buffer[0..<n], as: UTF8.self)
                } else {
                    logs += String(decoding: buffer[0..<n], as: UTF8.self)
                }
            }
        }
        close(worker.commandFD)  // EOF on fd 3: the worker exits
        while true {  // the rest of its log
            var p = pollfd(fd: worker.stderrFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 5_000) > 0 else { break }
            let n = read(worker.stderrFD, &buffer, buffer.count)
            if n <= 0 { break }
            logs += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        let messages = events.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let started = messages.filter { $0["type"] as? String == "run_started" }.compactMap { $0["run_id"] as? String }
        let finished = messages.filter { $0["type"] as? String == "run_finished" }.compactMap {
            $0["run_id"] as? String
        }
        #expect(started.count == 1 && started[0].count == 36, "\(events)")
        #expect(finished == started, "\(events)")
        #expect(Self.runIDs(in: logs, message: "run started", daemonLog: false) == started, "\(logs)")
        #expect(Self.runIDs(in: logs, message: "run finished", daemonLog: false) == started, "\(logs)")
        #expect(try Self.history(h) == started)
    }

    @Test func aFailedRunAndItsRetryNoticeCarryTheSameID() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha", extra: "# almanac-test: retry-delay=60")
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        // The export is still being written: the run fails for a passing reason.
        try "".write(toFile: h.root + "/alpha-in.csv.lock", atomically: true, encoding: .utf8)
        try h.start()
        try h.waitReady("alpha")
        let busy = try h.cli(["sync", "alpha", "--wait"])
        #expect(busy.code == 1, "\(busy.out)")
        let failed = try #require(try h.status("alpha")?.lastRun)
        #expect(failed.errorCode == "csv.file_busy")
        let notice = "the run failed for a passing reason; retrying"
        try h.waitUntil("the retry notice is logged", timeout: 5) {
            !Self.runIDs(in: try String(contentsOfFile: h.logPath, encoding: .utf8), message: notice).isEmpty
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(Self.runIDs(in: log, message: "run started") == [failed.runID], "\(log)")
        #expect(Self.runIDs(in: log, message: "run finished") == [failed.runID], "\(log)")
        #expect(Self.runIDs(in: log, message: notice) == [failed.runID], "\(log)")
        #expect(try Self.history(h) == [failed.runID])
        h.stop()
    }
}
