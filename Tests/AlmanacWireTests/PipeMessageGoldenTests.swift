import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// Every pipe message kind as the `v:1` protocol writes it, held against lines recorded from the
/// protocol's first implementation (`Fixtures/pipe-v1.ndjson`, one line per entry of `samples`).
@Suite(.timeLimit(.minutes(5)))
struct PipeMessageGoldenTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pipe-v1.ndjson")

    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static var counts: ActionCounts {
        var c = ActionCounts()
        c.created = 3
        c.updated = 2
        c.deleted = 1
        c.confirmed = 4
        c.cancelled = 5
        c.conflicts = 6
        c.skipped = 7
        c.failed = 8
        c.unchanged = 9
        return c
    }

    /// One sample per kind, with every field set, and one with only what the kind requires.
    static var samples: [PipeMessage] {
        var started = PipeMessage(.runStarted)
        started.runID = "r-1"
        started.job = "appointments"
        started.trigger = "schedule"
        started.requestIDs = ["s1", "s2"]
        var startedBare = PipeMessage(.runStarted)
        startedBare.runID = "r-2"
        startedBare.job = "j"
        startedBare.trigger = "startup"
        startedBare.requestIDs = []
        var finished = PipeMessage(.runFinished)
        finished.runID = "r-1"
        finished.job = "appointments"
        finished.trigger = "manual"
        finished.result = "failed"
        finished.to = counts
        finished.from = ActionCounts()
        finished.started = at
        finished.durationMS = 812
        finished.errorCode = "csv.file_busy"
        finished.error = "the file \"/srv/a b.csv\" is still being written"
        finished.requestIDs = ["s1"]
        finished.batchDone = false
        finished.retryAt = at.addingTimeInterval(30)
        var finishedBare = PipeMessage(.runFinished)
        finishedBare.runID = "r-2"
        finishedBare.job = "j"
        finishedBare.trigger = "retry"
        finishedBare.result = "success"
        finishedBare.to = ActionCounts()
        finishedBare.from = ActionCounts()
        finishedBare.started = at
        finishedBare.durationMS = 0
        finishedBare.requestIDs = []
        finishedBare.batchDone = true
        var test = PipeMessage(.testConnection, id: "s7")
        test.name = "db"
        return [
            .hello(pid: 4242, profile: "clinic", version: "0.1.0", configHash: "0123abcd"),
            .ready(jobs: ["appointments", "clients"], nextRun: at),
            .ready(jobs: [], nextRun: nil),
            .status(
                state: "syncing", job: "appointments", progress: RunProgress(phase: "reading", done: 10, total: 20),
                nextRun: at),
            .status(state: "syncing", job: "j", progress: RunProgress(phase: "planning"), nextRun: nil),
            .status(state: "idle", job: nil, progress: nil, nextRun: at),
            .status(state: "idle", job: nil, progress: nil, nextRun: nil),
            started, startedBare, finished, finishedBare,
            .connection(name: "db", ok: true, detail: "connect: ok 3 ms; query: ok", id: "s3"),
            .connection(name: "out", ok: false, detail: "open: failed no such file", id: nil),
            .reply(id: "s4", ok: true),
            .reply(id: "s5", ok: true, queued: true),
            .reply(id: "s6", ok: true, queued: false),
            .reply(id: "s7", ok: false, error: "profile clinic has no job named \"x\""),
            .sync(
                id: "s8", job: "appointments",
                options: RunOptions(dryRun: true, full: true, since: at, allowMassDelete: true)),
            .sync(id: "s9", job: nil, options: RunOptions()),
            test,
            PipeMessage(.testConnection, id: "s10"),
            PipeMessage(.ping, id: "s11"),
            .shutdown(id: "s12", deadlineMS: 10_000),
        ]
    }

    static func recorded() throws -> [String] {
        try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func record() throws {
        guard ProcessInfo.processInfo.environment["ALMANAC_RECORD_PIPE_GOLDEN"] == "1" else { return }
        var out: [UInt8] = []
        for m in Self.samples { out += try Wire.line(m) }
        try Data(out).write(to: Self.fixture)
    }

    @Test func encodesToTheRecordedBytes() throws {
        let recorded = try Self.recorded()
        let samples = Self.samples
        #expect(recorded.count == samples.count)
        for (m, line) in zip(samples, recorded) {
            #expect(String(decoding: try Wire.line(m), as: UTF8.self) == line + "\n")
        }
    }

    /// What the first version did with lines it does not speak: an unknown `type` does not decode;
    /// another `v` decodes, and both readers then drop the message as malformed.
    @Test func unknownTypesAndVersionsAsFirstImplemented() throws {
        #expect(throws: DecodingError.self) {
            try Wire.decoder().decode(PipeMessage.self, from: Data(#"{"type":"explode","v":1}"#.utf8))
        }
        let m = try Wire.decoder().decode(PipeMessage.self, from: Data(#"{"id":"s1","type":"ping","v":2}"#.utf8))
        #expect(m.v == 2 && m.v != Wire.version)
    }

    @Test func decodesTheRecordedLinesToTheSameValues() throws {
        for (m, line) in zip(Self.samples, try Self.recorded()) {
            #expect(try Wire.decoder().decode(PipeMessage.self, from: Data(line.utf8)) == m)
        }
    }
}
