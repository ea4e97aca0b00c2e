import AlmanacWire
import Foundation
import Glibc
import Testing

/// One runner per profile: the worker and `almanac run` hold `STATE/NAME.lock`; a second runner
/// is refused with the holder named and writes nothing; the kernel frees the lock of a killed
/// holder, so a replacement worker starts.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ProfileLockTests {
    /// Three appointments in the window of `alpha`, and an export that is only a header.
    static func seed(_ h: DaemonHarness) throws {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let rows = (1...3).map {
            "appt-\($0),Visit \($0),\(f.string(from: Date().addingTimeInterval(Double($0) * 86_400)))"
        }
        try ("external_id,title,start_time\n" + rows.joined(separator: "\n") + "\n")
            .write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
    }

    /// The command line `/proc` shows for `pid`, as the lock's message names it (at most 300
    /// characters: a longer one is cut to 299 and `…`).
    static func commandLine(_ pid: Int32) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        var words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        if words.first == "/proc/self/exe" {
            words[0] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? words[0]
        }
        let text = words.joined(separator: " ")
        return text.count > 300 ? String(text.prefix(299)) + "…" : text
    }

    static func lockedMessage(_ h: DaemonHarness, pid: Int32, command: String) -> String {
        "almanac run: profile alpha is already being run by pid \(pid) (\(command)), which holds "
            + "\(h.state)/alpha.lock: one runner per profile; use `almanac sync alpha` while the daemon runs it, "
            + "or stop that process first\n"
    }

    @Test func runAgainstAProfileWhoseWorkerRunsExitsOneNamingTheHolder() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try Self.seed(h)
        try h.start()
        let pid = try h.waitReady("alpha")
        let command = Self.commandLine(pid)
        #expect(command.contains(" worker --profile alpha --profiles \(h.profiles) --state \(h.state) "), "\(command)")
        let stateBefore = FileManager.default.contents(atPath: h.state + "/alpha.sqlite")
        #expect(stateBefore != nil)

        let run = try h.cli(["run", "alpha", "--profiles", h.profiles, "--state", h.state], runtimeOption: false)
        #expect(run.code == 1)
        #expect(run.out == "")
        #expect(run.err == Self.lockedMessage(h, pid: pid, command: command))
        // Nothing written: the export is still only its header, the state file unchanged.
        #expect(
            try String(contentsOfFile: h.root + "/alpha-out.csv", encoding: .utf8) == "external_id,title,start_time\n")
        #expect(FileManager.default.contents(atPath: h.state + "/alpha.sqlite") == stateBefore)
        #expect(try String(contentsOfFile: h.state + "/alpha.lock", encoding: .utf8) == "\(pid) \(command)\n")

        // kill -9 of the holder: the kernel frees the lock, the replacement takes it and starts.
        kill(pid, SIGKILL)
        let replacement = try h.waitReady("alpha", timeout: 10, notPID: pid)
        let again = try h.cli(["run", "alpha", "--profiles", h.profiles, "--state", h.state], runtimeOption: false)
        #expect(again.code == 1)
        #expect(again.err == Self.lockedMessage(h, pid: replacement, command: Self.commandLine(replacement)))

        // Once the daemon is gone, `almanac run` takes the lock and syncs.
        #expect(h.stop() == 0)
        let alone = try h.cli(["run", "alpha", "--profiles", h.profiles, "--state", h.state], runtimeOption: false)
        #expect(alone.code == 0, "\(alone.out)\(alone.err)")
        #expect(alone.out.contains("3 created"), "\(alone.out)")
    }

    @Test func aWorkerWaitsBrieflyThenExitsWhileAnotherRunnerHoldsTheLock() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try Self.seed(h)
        // This test process plays the other runner (an `almanac run` in progress).
        try FileManager.default.createDirectory(atPath: h.state, withIntermediateDirectories: true)
        let fd = open(h.state + "/alpha.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        var request = flock(l_type: Int16(F_WRLCK), l_whence: Int16(SEEK_SET), l_start: 0, l_len: 0, l_pid: 0)
        #expect(fcntl(fd, F_SETLK, &request) == 0)
        let me = getpid()

        let run = try h.cli(["run", "alpha", "--profiles", h.profiles, "--state", h.state], runtimeOption: false)
        #expect(run.code == 1)
        #expect(run.err == Self.lockedMessage(h, pid: me, command: Self.commandLine(me)))

        try h.start()
        try h.waitUntil("the worker gives up on the lock", timeout: 15) {
            try h.status("alpha")?.lastError?.hasPrefix("another process holds the profile's lock") == true
        }
        #expect(
            try h.status("alpha")?.lastError
                == "another process holds the profile's lock (alpha.lock in the state directory; "
                + "`almanac logs alpha` names it)")
        let logs = try h.cli(["logs", "alpha"])
        #expect(logs.out.contains("error.code=state.locked"), "\(logs.out)")
        #expect(logs.out.contains("profile alpha is already being run by pid \(me) ("), "\(logs.out)")
        #expect(logs.out.contains("status=\"exit code 75\""), "\(logs.out)")
        #expect(!FileManager.default.fileExists(atPath: h.state + "/alpha.sqlite"), "the worker opened the state")

        close(fd)  // the other runner is done: the next restart takes the lock
        try h.waitReady("alpha", timeout: 20)
        #expect(try h.cli(["sync", "alpha", "--wait"]).code == 0)
        #expect(h.stop() == 0)
    }
}
