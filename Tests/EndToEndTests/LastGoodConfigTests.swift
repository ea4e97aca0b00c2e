import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// An invalid edit never reaches a worker: `almanac restart`, a killed worker and a daemon restart
/// all start it from the last valid version kept in `STATE/lastgood`, and `status` shows both that
/// version's hash and the file's errors.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LastGoodConfigTests {
    /// SQLite over ODBC → CSV, the password in `secrets/db` relative to the profiles directory.
    private func profileText(_ h: DaemonHarness) -> String {
        """
        timezone = "UTC"
        [schedule]
        manual = true
        [connections.db]
        connector = "odbc"
        connection_string = "Driver=SQLite3;Database=\(h.root)/clinic.db;"
        password_file = "secrets/db"
        [connections.out]
        connector = "csv"
        path = "\(h.root)/out.csv"
        [[jobs]]
        name = "main"
        from = "db"
        to = "out"
        [jobs.source]
        read_query = "SELECT id AS external_id, title, starts AS start_time FROM appts"

        """
    }

    private func seed(_ h: DaemonHarness) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [
            h.root + "/clinic.db",
            "CREATE TABLE appts (id TEXT, title TEXT, starts TEXT);"
                + "INSERT INTO appts VALUES ('a1', 'Checkup', '2026-12-10 09:00:00');",
        ]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        try FileManager.default.createDirectory(atPath: h.profiles + "/secrets", withIntermediateDirectories: true)
        try "not-a-real-password\n".write(toFile: h.profiles + "/secrets/db", atomically: true, encoding: .utf8)
    }

    private func commandLine(_ pid: Int32) -> [String] {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func restartsKillsAndDaemonRestartsRunTheLastValidVersion() throws {
        let h = try DaemonHarness()
        try seed(h)
        let good = profileText(h)
        let goodHash = SHA256.hex(Data(good.utf8))
        try h.write("alpha.toml", good)
        try h.start()
        let pid0 = try h.waitReady("alpha")
        #expect(try h.status("alpha")?.configHash == goodHash)
        let copy = h.state + "/lastgood/alpha.toml"
        #expect(FileManager.default.contents(atPath: copy) == Data(good.utf8))
        #expect(commandLine(pid0).suffix(2) == ["--config", copy], "\(commandLine(pid0))")

        try h.write("alpha.toml", "bogus_key = 1\n" + good)
        try h.waitUntil("the invalid edit is seen", timeout: 10) { try h.status("alpha")?.configError != nil }
        #expect(try h.status("alpha")?.pid == pid0)
        #expect(FileManager.default.contents(atPath: copy) == Data(good.utf8))

        #expect(try h.cli(["restart", "alpha"]).code == 0)
        let pid1 = try h.waitReady("alpha", timeout: 15, notPID: pid0)

        kill(pid1, SIGKILL)
        let pid2 = try h.waitReady("alpha", timeout: 15, notPID: pid1)
        #expect(try h.status("alpha")?.configHash == goodHash)

        #expect(h.stop() == 0)
        try h.start()
        let pid3 = try h.waitReady("alpha", timeout: 15, notPID: pid2)
        let s = try #require(try h.status("alpha"))
        #expect(s.configHash == goodHash)
        #expect(s.configError?.contains { $0.contains("bogus_key") } == true, "\(String(describing: s.configError))")
        #expect(commandLine(pid3).suffix(2) == ["--config", copy])

        // The worker runs the copy, and the copy's relative secret path still resolves.
        let sync = try h.cli(["sync", "alpha", "--wait"])
        #expect(sync.code == 0, "\(sync.out)\(sync.err)")
        let out = (try? String(contentsOfFile: h.root + "/out.csv", encoding: .utf8)) ?? ""
        #expect(out.contains("Checkup"), "\(out)")
        try h.waitUntil("the run is in the log file", timeout: 10) {
            try String(contentsOfFile: h.state + "/logs/alpha.log", encoding: .utf8).contains("msg=\"run finished\"")
        }
        let logText = try String(contentsOfFile: h.state + "/logs/alpha.log", encoding: .utf8)
        #expect(!logText.contains("not-a-real-password"), "the password is in the log file")

        let text = try h.cli(["status", "alpha"])
        #expect(text.out.contains("config: sha256 \(goodHash) (the last valid version, not the file on disk)"))
        #expect(text.out.contains("config error: ") && text.out.contains("bogus_key"), "\(text.out)")
        let json = try h.cli(["status", "--json"])
        #expect(json.out.contains("\"config_hash\":\"\(goodHash)\""), "\(json.out)")
        #expect(json.out.contains("\"config_error\":["))

        // A fixed file runs again from its own (new) version.
        let fixed = good.replacingOccurrences(of: "manual = true", with: "manual = true\n# fixed")
        try h.write("alpha.toml", fixed)
        _ = try h.waitReady("alpha", timeout: 15, notPID: pid3)
        try h.waitUntil("the fixed version runs", timeout: 10) {
            try h.status("alpha")?.configHash == SHA256.hex(Data(fixed.utf8))
        }
        #expect(try h.status("alpha")?.configError == nil)
        #expect(FileManager.default.contents(atPath: copy) == Data(fixed.utf8))

        // Removing the file still removes the profile, and its copy.
        try h.remove("alpha.toml")
        try h.waitUntil("alpha is removed", timeout: 15) { try h.status("alpha") == nil }
        #expect(!FileManager.default.fileExists(atPath: copy))
        #expect(h.stop() == 0)
    }

    @Test func aDisabledProfileStaysDisabledOnItsLastValidVersion() throws {
        let h = try DaemonHarness()
        try h.writeProfile("gamma")
        try h.start()
        let pid = try h.waitReady("gamma")
        #expect(try h.cli(["disable", "gamma"]).code == 0)
        try h.waitUntil("gamma is disabled", timeout: 10) { try h.status("gamma")?.state == "disabled" }
        try h.writeProfile("gamma", extra: "bogus_key = 1")
        try h.waitUntil("the invalid edit is seen", timeout: 10) { try h.status("gamma")?.configError != nil }
        #expect(h.stop() == 0)
        try h.start()
        try h.waitUntil("gamma is disabled again", timeout: 10) { try h.status("gamma")?.state == "disabled" }
        #expect(try h.status("gamma")?.configHash != nil)
        #expect(try h.cli(["enable", "gamma"]).code == 0)
        try h.waitReady("gamma", timeout: 15, notPID: pid)
        #expect(try h.status("gamma")?.configError != nil)
        #expect(h.stop() == 0)
    }

    @Test func aProfileThatWasNeverValidStaysInvalid() throws {
        let h = try DaemonHarness()
        try h.writeProfile("beta", extra: "bogus_key = 1")
        try h.start()
        try h.waitUntil("beta is invalid", timeout: 10) { try h.status("beta")?.state == "invalid" }
        #expect(try h.status("beta")?.configHash == nil)
        #expect(!FileManager.default.fileExists(atPath: h.state + "/lastgood/beta.toml"))
        #expect(h.stop() == 0)
        try h.start()
        try h.waitUntil("beta is invalid again", timeout: 10) { try h.status("beta")?.state == "invalid" }
        #expect(try h.status("beta")?.pid == nil)
        #expect(h.stop() == 0)
    }
}
