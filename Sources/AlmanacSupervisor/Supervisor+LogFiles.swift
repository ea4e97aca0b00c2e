import AlmanacCore
import AlmanacWire
import Foundation

/// Reading the profiles' log files back, which outlive the daemon: `GET /v1/profiles/NAME/logs`
/// without `follow`, and the in-memory ring of a profile at start-up. Takes `lock` as needed.
extension Supervisor {
    /// Fills the in-memory ring of a profile the daemon has just met with the newest lines of its
    /// log files, so `almanac logs --follow` after a daemon restart starts from the history.
    /// Called under `lock`.
    func seedRing(_ slot: WorkerSlot) {
        let paths = config.logRotation.paths(logFiles.path(slot.name))
        for line in LogHistory.lines(paths, tail: slot.logs.capacity, since: nil) { slot.logs.append(line) }
    }

    /// The last `tail` lines of `name`'s log files not older than `since`, once every line the
    /// daemon had recorded when asked is on disk (up to 2 s). From the in-memory ring when the
    /// profile has no log file. Nil for a name that is neither a profile nor has log files.
    func logHistory(_ name: String, tail: Int, since: Date?) -> HTTPResponse? {
        let paths = config.logRotation.paths(logFiles.path(name))
        let (known, ring, mark): (Bool, [String], UInt64) = lock.withLock {
            (slots[name] != nil, slots[name]?.logs.elements ?? [], logFiles.mark)
        }
        let onDisk = ProfileFile.isValidName(name) && FileManager.default.fileExists(atPath: paths[0])
        guard known || onDisk else { return nil }
        let lines: [String]
        if onDisk {
            logFiles.waitWritten(mark, timeout: 2)
            lines = LogHistory.lines(paths, tail: tail, since: since)
        } else {
            lines = LogHistory.recent(ring, tail: tail, since: since)
        }
        guard let body = try? Array(Wire.encoder().encode(LogLines(lines: lines))) else { return .json(500, []) }
        return .json(200, body)
    }

    /// One log line as a server-sent event (`GET /v1/profiles/NAME/logs?follow=1` with `Accept:
    /// text/event-stream`, the console's log tail): `data: {"v":1,"line":"…"}` and a blank line.
    /// The line is JSON-escaped, so it never spans two `data:` lines.
    @Sendable static func serverSentEvent(_ line: String) -> String {
        "data: " + ndjson(LogLine(line: line)) + "\n"
    }
}
