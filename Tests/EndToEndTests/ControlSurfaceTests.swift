import AlmanacSupervisor
import AlmanacWire
import Foundation
import Glibc
import Testing

/// Request bodies whose every field is optional, and `--json` on `restart`, `enable`,
/// `disable` and `logs`, against a running daemon.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ControlSurfaceTests {
    static func seed(_ h: DaemonHarness) throws {
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-in.csv", atomically: true, encoding: .utf8)
        try "external_id,title,start_time\n".write(toFile: h.root + "/alpha-out.csv", atomically: true, encoding: .utf8)
    }

    @Test func syncBodiesWithAnyFieldLeftOutAreAccepted() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try Self.seed(h)
        try h.start()
        try h.waitReady("alpha")
        let path = "/v1/profiles/alpha/sync"
        let empty = try h.client().request("POST", path, body: Array("{}".utf8))
        #expect(empty.status == 202, "\(empty.text)")
        let started = try Wire.decoder().decode(ActionResult.self, from: Data(empty.body))
        #expect(started.ok && ["sync started", "queued behind the running sync"].contains(started.message))
        try h.waitUntil("the {} sync ran", timeout: 10) { try h.status("alpha")?.lastRun?.result == "success" }

        let waited = try h.client().request("POST", path, body: Array(#"{"wait":true}"#.utf8))
        #expect(waited.status == 200, "\(waited.text)")
        let events = try waited.text.split(separator: "\n").map {
            try Wire.decoder().decode(SyncEvent.self, from: Data($0.utf8))
        }
        #expect(events.first?.event == "accepted")
        #expect(events.contains { $0.event == "run" && $0.run?.result == "success" && $0.job == "main" })
        #expect(events.last == SyncEvent(event: "done", ok: true))

        let dry = try h.client().request("POST", path, body: Array(#"{"dry_run":true,"wait":true}"#.utf8))
        #expect(dry.status == 200 && dry.text.contains(#""event":"done""#), "\(dry.text)")

        // Strict bodies: the field and what is wrong with it are named.
        for (bad, message) in [
            (#"{"wait":"yes"}"#, "wait: expected true or false, got a string"),
            ("[]", "the body must be a JSON object, got an array"),
            ("not json", "the body is not valid JSON: expected a JSON value at byte 0"),
            (
                #"{"wait":true,"wiat":true}"#,
                #"unknown field "wiat"; known: allow_mass_delete, dry_run, full, job, since, wait"#
            ),
        ] {
            let r = try h.client().request("POST", path, body: Array(bad.utf8))
            #expect(r.status == 400, "\(bad): \(r.text)")
            let body = try Wire.decoder().decode(ActionResult.self, from: Data(r.body))
            #expect(body == ActionResult(ok: false, message: message, code: .apiBadRequest))
        }
        #expect(h.stop() == 0)
    }

    @Test func restartEnableDisableAndLogsPrintJSON() throws {
        let h = try DaemonHarness()
        try h.writeProfile("alpha")
        try Self.seed(h)
        try h.start()
        let pid = try h.waitReady("alpha")

        func action(_ arguments: [String]) throws -> (code: Int32, result: ActionResult, out: String) {
            let r = try h.cli(arguments + ["--json"])
            #expect(r.out.hasSuffix("}\n") && r.out.filter { $0 == "\n" }.count == 1, "\(r.out)")
            return (r.code, try Wire.decoder().decode(ActionResult.self, from: Data(r.out.utf8)), r.out)
        }
        let restart = try action(["restart", "alpha"])
        #expect(restart.code == 0)
        #expect(restart.out == #"{"message":"alpha restarting","ok":true,"v":1}"# + "\n")
        let replacement = try h.waitReady("alpha", notPID: pid)

        let disable = try action(["disable", "alpha"])
        #expect(disable.code == 0)
        #expect(
            disable.result
                == ActionResult(ok: true, message: "alpha disabled; it stays disabled across daemon restarts"))
        try h.waitUntil("alpha disabled", timeout: 10) { try h.status("alpha")?.state == "disabled" }
        // An error is printed as the API's body too, and exits as without --json.
        let refused = try action(["restart", "alpha"])
        #expect(refused.code == 1)
        #expect(
            refused.result
                == ActionResult(ok: false, message: "alpha is disabled: enable it first", code: .profileDisabled))
        let enable = try action(["enable", "alpha"])
        #expect(enable.code == 0)
        #expect(enable.result == ActionResult(ok: true, message: "alpha enabled"))
        try h.waitReady("alpha", notPID: replacement)
        let unknown = try action(["disable", "nosuch"])
        #expect(unknown.code == 1)
        #expect(
            unknown.result == ActionResult(ok: false, message: "no profile named \"nosuch\"", code: .profileNotFound))

        let logs = try h.cli(["logs", "alpha", "--tail", "3", "--json"])
        #expect(logs.code == 0)
        let lines = try Wire.decoder().decode(LogLines.self, from: Data(logs.out.utf8))
        #expect(lines.v == 1 && lines.lines.count == 3, "\(logs.out)")
        let plain = try h.cli(["logs", "alpha", "--tail", "3"])
        #expect(plain.out == lines.lines.map { $0 + "\n" }.joined())
        let noLogs = try h.cli(["logs", "nosuch", "--json"])
        #expect(noLogs.code == 1)
        #expect(
            try Wire.decoder().decode(ActionResult.self, from: Data(noLogs.out.utf8))
                == ActionResult(ok: false, message: "no profile named \"nosuch\"", code: .profileNotFound))

        // --follow --json: one {"v":1,"line":…} object per line, the kept lines first, then new ones.
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: DaemonHarness.binary)
        follow.arguments = ["logs", "alpha", "--tail", "2", "--follow", "--json", "--runtime", h.runtime]
        let out = Pipe()
        follow.standardOutput = out
        try follow.run()
        defer {
            follow.terminate()
            follow.waitUntilExit()
        }
        let fd = out.fileHandleForReading.fileDescriptor
        var received = ""
        /// Reads what the follower prints until `done` holds or 10 s have passed (never blocks longer).
        func read(until done: () -> Bool) {
            let deadline = Date().addingTimeInterval(10)
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while !done() && Date() < deadline {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                let n = Glibc.read(fd, &buffer, buffer.count)
                if n <= 0 { return }
                received += String(decoding: buffer[0..<n], as: UTF8.self)
            }
        }
        read { received.filter { $0 == "\n" }.count >= 2 }  // the two kept lines: the follower is attached
        #expect(try h.cli(["restart", "alpha"]).code == 0)
        read { received.contains("restart requested") }
        let objects = try received.split(separator: "\n").map {
            try Wire.decoder().decode(LogLine.self, from: Data($0.utf8))
        }
        #expect(objects.count >= 3, "\(received)")
        #expect(objects.contains { $0.line.contains("msg=\"restart requested\"") }, "\(received)")
        #expect(h.stop() == 0)
    }
}
