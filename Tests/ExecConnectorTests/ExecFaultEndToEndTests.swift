import AlmanacCore
import AlmanacSync
import Foundation
import Testing

/// A plugin that breaks the protocol in each way the issue names, under a running daemon: the run
/// fails with an error naming the plugin, the worker keeps running, no state is committed from
/// the broken read, nothing is written (or deleted) on the other side, and the next run, with a
/// fresh plugin process, goes through.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ExecFaultEndToEndTests {
    struct Fault: Sendable, CustomStringConvertible {
        var mode: String
        var code: String
        var says: String
        var description: String { mode }
    }

    static let faults: [Fault] = [
        Fault(mode: "exit-mid-read", code: "exec.crashed", says: "stopped during read: it exited with status 3"),
        Fault(
            mode: "garbage", code: "exec.protocol_violation",
            says: "a line that is not JSON (unexpected character): \"this is not json at all, it is garbage\""),
        Fault(mode: "hang", code: "exec.timeout", says: "no line of its answer to read within 2s (request_timeout)"),
        Fault(mode: "twice", code: "exec.protocol_violation", says: "a line after the reply was complete"),
        Fault(
            mode: "huge", code: "exec.protocol_violation",
            says: "a line longer than 16 MiB: \"{\"v\":1,\"type\":\"item\",\"re\":"),
        Fault(mode: "unknown-type", code: "exec.protocol_violation", says: "an unknown message type \"telemetry\""),
    ]

    @Test(arguments: faults)
    func aBrokenPluginFailsTheRunAndNothingElse(_ fault: Fault) throws {
        let w = try PluginWorld("fault")
        let day = Date().addingTimeInterval(86_400)
        try w.seed(w.source, (0..<5).map { ("a\($0)", "Appt \($0)", day.addingTimeInterval(Double($0) * 7200)) })
        try w.writeProfile(sourceExtra: "request_timeout = \"2s\"")
        try w.startDaemon()
        let pid = try w.waitIdle()
        let first = try w.sync()
        #expect(first.status == 0, "\(first.out)\(first.err)")
        let written = try w.titles(w.sink)
        #expect(written.count == 5)
        // The worker keeps the plugin between runs (reuse = true): a second run talks to the same process.
        let pluginPID = try String(contentsOfFile: w.source + ".pid", encoding: .utf8)
        #expect(try w.sync().status == 0)
        #expect(try String(contentsOfFile: w.source + ".pid", encoding: .utf8) == pluginPID)
        // Its stderr is in the profile's log, tagged with the profile and the connection.
        #expect(w.daemonLog.contains("profile=clinic"))
        #expect(
            w.daemonLog.split(separator: "\n").contains {
                $0.contains("msg=\"plugin: memory plugin started\"") && $0.contains("connection=src")
                    && $0.contains("profile=clinic")
            }, "\(w.daemonLog.suffix(2000))")
        let before = try StateStore(path: w.state.appendingPathComponent("clinic.sqlite").path).items(job: "j")

        // Two deleted and one changed at the source: a read that went through would delete two
        // and update one at the sink.
        try w.seed(
            w.source,
            (2..<5).map { ("a\($0)", $0 == 4 ? "Moved" : "Appt \($0)", day.addingTimeInterval(Double($0) * 7200)) })
        try Data(fault.mode.utf8).write(to: URL(fileURLWithPath: w.source + ".fault"))
        let broken = try w.sync()
        #expect(broken.status == 1)
        #expect(
            broken.out.contains(
                "\(fault.code): reading the from side of job j: plugin memory-plugin.py (source 1.0.0)"),
            "\(broken.out)")
        #expect(broken.out.contains(fault.says), "\(broken.out)")
        #expect(try w.waitIdle() == pid, "the worker was replaced")
        #expect(try w.titles(w.sink) == written)
        #expect(try w.received().count == 5, "only the first run's creates reached the sink")
        let after = try StateStore(path: w.state.appendingPathComponent("clinic.sqlite").path).items(job: "j")
        #expect(after == before, "state committed from a broken read")

        try FileManager.default.removeItem(atPath: w.source + ".fault")
        let next = try w.sync()
        #expect(try String(contentsOfFile: w.source + ".pid", encoding: .utf8) != pluginPID, "a fresh process")
        #expect(next.status == 0, "\(next.out)")
        #expect(
            next.out.contains("to: 2 deleted, 1 updated") || next.out.contains("to: 1 updated, 2 deleted"),
            "\(next.out)")
        #expect(try w.titles(w.sink).values.sorted() == ["Appt 2", "Appt 3", "Moved"])
        #expect(try w.waitIdle() == pid)
    }
}
