import AlmanacTestKit
import FakeCalendars
import Foundation
import Testing

/// The web console in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
/// selenium from the venv: `contrib/console/console_check.py`), against the built daemon running
/// the demo's two profiles on the fake Google and Cronofy plus one failing profile, on a loopback
/// listener with a tokens file. Screenshots go to `.build/console-screenshots/`.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ConsoleBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static let script = BinaryRunner.packageRoot.appendingPathComponent("contrib/console/console_check.py").path
    static let screenshots = BinaryRunner.packageRoot.appendingPathComponent(".build/console-screenshots").path

    /// What is not installed: Chromium, its driver, the venv with selenium.
    static var missing: [String] {
        [chromium, chromedriver, OfficialClientVenv.python.path].filter {
            !FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs where everything is installed, and fails (does not skip) without it under
    /// `ALMANAC_REQUIRE_SERVICES=1`.
    static var enabled: Bool { OfficialClientVenv.required || missing.isEmpty }

    @Test(.enabled(if: enabled, "needs chromium, chromium-driver and the venv (make test installs them)"))
    func theConsoleShowsTheFleetAndActsWithTheCallersRole() throws {
        let missing = Self.missing.joined(separator: ", ")
        try #require(
            missing.isEmpty,
            "missing \(missing): apt-get install chromium chromium-driver; contrib/dev/pyenv .build/pyenv")
        let h = try DaemonHarness()
        let google = try FakeServer(.google)
        let cronofy = try FakeServer(.cronofy)
        defer {
            google.stop()
            cronofy.stop()
        }
        cronofy.cronofy?.addCalendar(id: "cal_demo_studio", name: "Studio")
        let secret = "console-secret-\(UUID().uuidString)"
        let googleRefresh = google.auth.register(clientID: "almanac-demo", secret: secret)
        let cronofyRefresh = cronofy.auth.register(clientID: "almanac-demo", secret: secret)
        let secretFile = h.root + "/client-secret"
        try secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile, 0o600)
        let db = h.root + "/clinic.db"
        let seed = BinaryRunner.packageRoot.appendingPathComponent("contrib/demo/clinic.sql").path
        _ = try DemoWriteBackTests.sqlite(db, ".read " + seed)

        // The shipped demo profiles, pointed at this test's database, fakes and secret file.
        for (name, fake) in [("clinic", google), ("studio", cronofy)] {
            var text = try String(
                contentsOf: BinaryRunner.packageRoot.appendingPathComponent("profiles.d/\(name).toml"), encoding: .utf8)
            let port = name == "clinic" ? "18080" : "18081"
            for (from, to) in [
                ("http://127.0.0.1:\(port)", fake.baseURL), (".build/demo/clinic.db", db),
                ("../contrib/demo/secrets/client-secret", secretFile),
            ] {
                #expect(text.contains(from), "\(name).toml no longer names \(from)")
                text = text.replacingOccurrences(of: from, with: to)
            }
            try h.write(name + ".toml", text)
        }
        // The failing profile: its export is missing, and the error names the path, markup and all.
        let markup = "<img src=x id=injected>"
        try h.write(
            "broken.toml",
            """
            timezone = "UTC"
            [schedule]
            manual = true
            [connections.src]
            connector = "csv"
            path = "\(h.root)/missing \(markup).csv"
            [connections.dst]
            connector = "csv"
            path = "\(h.root)/broken-out.csv"
            [[jobs]]
            name = "main"
            from = "src"
            to = "dst"

            """)

        let tokens = Dictionary(uniqueKeysWithValues: ["read", "operate", "admin"].map { ($0, "\($0)-\(UUID())") })
        let tokenFile = h.root + "/tokens"
        let lines = ["read", "operate", "admin"].map { "\($0) \(tokens[$0]!)\n" }.joined()
        try ("# the console test's tokens\n" + lines).write(toFile: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile, 0o600)
        try h.start(
            arguments: ["--listen", "127.0.0.1:0", "--token-file", tokenFile],
            environment: [
                "ALMANAC_DEMO_GOOGLE_REFRESH_TOKEN": googleRefresh,
                "ALMANAC_DEMO_CRONOFY_REFRESH_TOKEN": cronofyRefresh,
            ])
        defer { h.stop() }
        let port = try h.tcpPort()
        for name in ["clinic", "studio", "broken"] { try h.waitReady(name, timeout: 30) }
        // A run of each, so the fleet has results to show and the failing profile is failing.
        for name in ["clinic", "studio", "broken"] { _ = try h.cli(["sync", name, "--wait"]) }
        try h.waitUntil("broken failing, clinic and studio ok", timeout: 30) {
            let s = try h.statuses()
            return s["broken"]?.health == "failing" && s["clinic"]?.health == "ok" && s["studio"]?.health == "ok"
        }

        let config: [String: Any] = [
            "base": "http://127.0.0.1:\(port)", "tokens": tokens, "profiles_dir": h.profiles,
            "demo": ["clinic", "studio"], "failing": "broken", "markup": markup, "screenshots": Self.screenshots,
            "chromium": Self.chromium, "chromedriver": Self.chromedriver, "fleet_size": 1_000,
        ]
        let configFile = h.root + "/console-check.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))
        let (status, output) = try Self.python([Self.script, configFile], timeout: 110)
        #expect(status == 0, "console_check.py exited \(status):\n\(output)")
        #expect(output.contains("console check passed"), "\(output)")
        #expect(!output.contains(secret) && !output.contains(googleRefresh))
        print(output)
    }

    /// Runs the venv's python with `arguments`, output and errors into one file; kills it after
    /// `timeout` seconds.
    static func python(_ arguments: [String], timeout: Double) throws -> (Int32, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-console-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let p = Process()
        p.executableURL = OfficialClientVenv.python
        p.arguments = ["-u"] + arguments
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            done.wait()
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (p.terminationStatus, text)
    }
}
