import AlmanacCore
import AlmanacSync
import Foundation
import Glibc
import Testing

/// The worker template (README "Starting workers"): workers forked from it are the daemon's
/// children in process groups of their own, show their own command line, and are started with
/// exec while the template is gone; `--no-worker-template` execs them all.
@Suite(.timeLimit(.minutes(10)))
struct WorkerTemplateTests {
    /// The pids of `pid`'s children.
    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    /// `/proc/PID/cmdline`'s words (empty ones dropped, as `ps` shows them).
    static func words(_ pid: Int32) -> [String] {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A worker forked from the template keeps the template's argument memory (over 4 KiB, its
    /// own words then NULs); an exec'd worker's is its words alone.
    static func forked(_ pid: Int32) -> Bool {
        (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")?.count ?? 0) > 4_096
    }

    /// The `start=` field of the daemon's "worker started" line for `pid`.
    static func start(_ log: String, _ pid: Int32) -> String? {
        let line = log.split(separator: "\n").first {
            $0.contains("msg=\"worker started\"") && $0.contains(" pid=\(pid) ")
        }
        return line?.split(separator: " ").first { $0.hasPrefix("start=") }.map { String($0.dropFirst(6)) }
    }

    static func templates(of daemon: Int32) -> [Int32] {
        children(of: daemon).filter { words($0).dropFirst().first == "worker-template" }
    }

    /// The arguments the daemon gives `name`'s worker (`Supervisor.start`).
    static func expectedWords(_ h: DaemonHarness, _ name: String, daemon: Int32) -> [String] {
        [
            "/proc/self/exe", "worker", "--profile", name, "--profiles", h.profiles, "--state", h.state,
            "--log-format", "logfmt", "--heartbeat-ms", "1000", "--idle-heartbeat-ms", "3000", "--supervisor-pid",
            String(daemon), "--config", h.state + "/lastgood/\(name).toml",
        ]
    }

    /// Waits for the daemon's "worker template ready" line (the template starts with the daemon and
    /// warms up while the profiles load; workers started before it is ready are exec'd).
    static func waitTemplateReady(_ h: DaemonHarness) throws {
        try h.waitUntil("the worker template is ready", timeout: 30) {
            (try String(contentsOfFile: h.logPath, encoding: .utf8)).contains("msg=\"worker template ready\"")
        }
    }

    @Test func workersAreForkedFromTheTemplateAsTheDaemonsChildrenWithTheirOwnCommandLine() throws {
        let h = try DaemonHarness()
        try h.start()
        try Self.waitTemplateReady(h)
        for name in ["alpha", "beta", "gamma"] { try h.writeProfile(name) }
        let daemon = try #require(h.daemon?.processIdentifier)
        let pids = try ["alpha", "beta", "gamma"].map { try h.waitReady($0) }
        let template = try #require(Self.templates(of: daemon).first, "\(Self.children(of: daemon))")
        #expect(Self.words(template) == ["/proc/self/exe", "worker-template"])
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(template)/task")
        #expect(threads.count == 1, "the template forks from one thread: \(threads)")
        for (name, pid) in zip(["alpha", "beta", "gamma"], pids) {
            #expect(Self.children(of: daemon).contains(pid), "\(name)'s worker is the daemon's child")
            #expect(getpgid(pid) == pid, "\(name)'s worker leads its own process group")
            #expect(Self.words(pid) == Self.expectedWords(h, name, daemon: daemon))
            #expect(Self.forked(pid), "\(name)'s worker was forked from the template")
            // None of the template's descriptors (its socket) is left in the worker.
            let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
            let sockets = fds.filter {
                ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) ?? "")
                    .hasPrefix("socket:")
            }
            #expect(sockets.isEmpty, "\(name): \(sockets)")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(log.contains("msg=\"worker template started\" pid=\(template)"), "\(log)")
        for pid in pids { #expect(Self.start(log, pid) == "fork", "\(log)") }
        // Each new state file was written from the template's image of a migrated file (the same
        // bytes as one migrated here), not migrated by the worker (which leaves the main file a
        // page long, the rest in its log).
        let image = try StateStore.makeNewFileImage(in: h.root).image
        for name in ["alpha", "beta", "gamma"] {
            #expect(FileManager.default.contents(atPath: h.state + "/\(name).sqlite") == Data(image), "\(name)")
        }

        // A run works in a forked worker (a row reaches the destination), and SIGTERM leaves
        // nothing behind.
        let day = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400)).prefix(10)
        try "external_id,title,start_time\nv1,Visit,\(day) 09:00\n"
            .write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
        let r = try h.client().request("POST", "/v1/profiles/alpha/sync", body: Array(#"{"wait":true}"#.utf8))
        #expect(r.status == 200 && r.text.contains("\"event\":\"done\""), "\(r.text)")
        let out = try String(contentsOfFile: h.root + "/alpha-out.csv", encoding: .utf8)
        #expect(out.contains("Visit"), "\(out)")
        #expect(h.stop() == 0)
        for pid in pids + [template] { #expect(kill(pid, 0) != 0, "pid \(pid) still there") }
    }

    @Test func whileTheTemplateIsGoneWorkersExecAndANewTemplateComes10SLater() throws {
        let h = try DaemonHarness()
        try h.start()
        try Self.waitTemplateReady(h)
        try h.writeProfile("alpha")
        try h.writeProfile("beta")
        let daemon = try #require(h.daemon?.processIdentifier)
        _ = try h.waitReady("alpha")
        let beta = try h.waitReady("beta")
        let first = try #require(Self.templates(of: daemon).first)
        kill(first, SIGKILL)
        // Seen as EOF on its socket or as its exit (SIGCHLD), whichever the loop reads first.
        try h.waitUntil("the template's end is seen", timeout: 10) {
            (try String(contentsOfFile: h.logPath, encoding: .utf8)).contains("msg=\"worker template: ")
        }
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        let warning = log.split(separator: "\n").first { $0.contains("msg=\"worker template: ") }
        #expect(
            warning?.contains("level=warning") == true
                && warning?.contains("; workers are started with exec for now\" pid=\(first)") == true,
            "\(log)")
        #expect(
            warning?.contains("the worker template exited (status 9)") == true
                || warning?.contains("the worker template is gone: Broken pipe") == true, "\(log)")
        // A worker killed now is replaced by an exec'd one: the same command line.
        kill(beta, SIGKILL)
        let beta2 = try h.waitReady("beta", timeout: 20, notPID: beta)
        #expect(Self.words(beta2) == Self.expectedWords(h, "beta", daemon: daemon))
        #expect(!Self.forked(beta2))
        #expect(Self.start(try String(contentsOfFile: h.logPath, encoding: .utf8), beta2) == "exec")
        #expect(Self.templates(of: daemon).isEmpty, "no template within 10 s of the failure")
        // The next start after 10 s brings a new template (that start execs, the template still
        // warming up); the one after it forks.
        Thread.sleep(forTimeInterval: 10)
        let alpha = try #require(try h.status("alpha")?.pid)
        kill(alpha, SIGKILL)
        let alpha2 = try h.waitReady("alpha", timeout: 20, notPID: alpha)
        let second = try #require(Self.templates(of: daemon).first)
        #expect(second != first)
        try h.waitUntil("the new template is ready", timeout: 30) {
            (try String(contentsOfFile: h.logPath, encoding: .utf8))
                .contains("msg=\"worker template ready\" pid=\(second)")
        }
        kill(alpha2, SIGKILL)
        let alpha3 = try h.waitReady("alpha", timeout: 20, notPID: alpha2)
        #expect(Self.words(alpha3) == Self.expectedWords(h, "alpha", daemon: daemon))
        #expect(Self.forked(alpha3))
        #expect(h.stop() == 0)
        #expect(kill(second, 0) != 0)
    }

    @Test func noWorkerTemplateExecsEveryWorker() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try h.start(arguments: ["--no-worker-template"])
        let daemon = try #require(h.daemon?.processIdentifier)
        let pid = try h.waitReady("alpha")
        #expect(Self.children(of: daemon) == [pid])
        #expect(Self.words(pid) == Self.expectedWords(h, "alpha", daemon: daemon))
        #expect(!Self.forked(pid))
        let log = try String(contentsOfFile: h.logPath, encoding: .utf8)
        #expect(!log.contains("worker template"))
        #expect(Self.start(log, pid) == "exec")
        // No template, no image: the worker's migrations made its state file.
        let image = try StateStore.makeNewFileImage(in: h.root).image
        #expect(FileManager.default.contents(atPath: h.state + "/alpha.sqlite") != Data(image))
        #expect(h.stop() == 0)
    }
}
