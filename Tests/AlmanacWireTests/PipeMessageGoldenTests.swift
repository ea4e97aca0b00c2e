import AlmanacCore
import AlmanacWire
import Foundation
import Testing

/// Every pipe message kind as the `v:1` protocol writes it, held against lines recorded from the
/// protocol's first implementation, the flat `PipeMessage` struct (`Fixtures/pipe-v1.ndjson`, one
/// line per entry of `samples`, in order).
@Suite(.timeLimit(.minutes(10)))
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
        [
            .hello(.init(pid: 4242, profile: "clinic", version: "0.1.0", configHash: "0123abcd")),
            .ready(.init(jobs: ["appointments", "clients"], nextRun: at)),
            .ready(.init(jobs: [], nextRun: nil)),
            .status(
                .init(
                    state: "syncing", job: "appointments", progress: RunProgress(phase: "reading", done: 10, total: 20),
                    nextRun: at)),
            .status(.init(state: "syncing", job: "j", progress: RunProgress(phase: "planning"), nextRun: nil)),
            .status(.init(state: "idle", nextRun: at)),
            .status(.init(state: "idle", nextRun: nil)),
            .runStarted(.init(runID: "r-1", job: "appointments", trigger: "schedule", requestIDs: ["s1", "s2"])),
            .runStarted(.init(runID: "r-2", job: "j", trigger: "startup", requestIDs: [])),
            .runFinished(
                .init(
                    runID: "r-1", job: "appointments", trigger: "manual", result: "failed", to: counts,
                    from: ActionCounts(), started: at, durationMS: 812, errorCode: "csv.file_busy",
                    error: "the file \"/srv/a b.csv\" is still being written", requestIDs: ["s1"], batchDone: false,
                    retryAt: at.addingTimeInterval(30))),
            .runFinished(
                .init(
                    runID: "r-2", job: "j", trigger: "retry", result: "success", to: ActionCounts(),
                    from: ActionCounts(), started: at, durationMS: 0, requestIDs: [], batchDone: true)),
            .connection(.init(name: "db", ok: true, detail: "connect: ok 3 ms; query: ok", id: "s3")),
            .connection(.init(name: "out", ok: false, detail: "open: failed no such file", id: nil)),
            .reply(.init(id: "s4", ok: true)),
            .reply(.init(id: "s5", ok: true, queued: true)),
            .reply(.init(id: "s6", ok: true, queued: false)),
            .reply(.init(id: "s7", ok: false, error: "profile clinic has no job named \"x\"")),
            .sync(
                .init(
                    id: "s8", job: "appointments",
                    options: RunOptions(dryRun: true, full: true, since: at, allowMassDelete: true))),
            .sync(.init(id: "s9", job: nil, options: RunOptions())),
            .testConnection(.init(id: "s7", connection: "db")),
            .testConnection(.init(id: "s10", connection: nil)),
            .ping(.init(id: "s11")),
            .shutdown(.init(id: "s12", deadlineMS: 10_000)),
        ] + historySamples + conflictSamples + quotaSamples
    }

    /// Added with the run history and the connections' status (recorded from that version; the
    /// lines above are unchanged by it).
    static var historySamples: [PipeMessage] {
        let health = ConnectionHealth(
            name: "db", state: .failing, since: at, checked: at.addingTimeInterval(60), errorCode: "odbc.timeout",
            error: "no answer in 30s")
        let finished = PipeMessage.RunFinished(
            runID: "r-3", job: "appointments", trigger: "manual", result: "success", to: counts,
            from: ActionCounts(), started: at, durationMS: 40, requestIDs: ["s13"], batchDone: true, dryRun: true,
            connections: [health])
        let summary = RunSummary(finished, finished: at.addingTimeInterval(1))
        return [
            .ready(.init(jobs: ["appointments"], nextRun: at, lastRuns: [summary], connections: [health])),
            .runFinished(finished),
            .connection(.init(name: "db", ok: false, detail: "connect: failed timeout", id: "s13", health: health)),
            .reply(.init(id: "s14", ok: true, runs: [summary])),
            .history(.init(id: "s14", job: "appointments", limit: 20)),
            .history(.init(id: "s15", job: nil, limit: 1)),
        ]
    }

    /// Added with schedule conflicts (the lines above are unchanged by it).
    static var conflictSamples: [PipeMessage] {
        let first = ConflictAppointment(
            keyFrom: "a1", keyTo: "e1", title: "Checkup", start: "2027-01-15T09:00:00Z", end: "2027-01-15T10:00:00Z",
            allDay: false)
        let second = ConflictAppointment(
            keyFrom: "a2", keyTo: nil, title: nil, start: "2027-01-15T09:30:00Z", end: nil, allDay: false)
        let conflict = ScheduleConflict(
            job: "appointments", field: "participant_0_email", value: "ann@example.com", first: first, second: second)
        return [
            .conflicts(.init(id: "s16", job: "appointments")),
            .conflicts(.init(id: "s17", job: nil)),
            .reply(.init(id: "s16", ok: true, conflicts: [conflict], conflictCount: 3)),
        ]
    }

    /// Added with the quota governor (the lines above are unchanged by it).
    static var quotaSamples: [PipeMessage] {
        [
            .quotaAsk(.init(id: "q1", keys: ["google:client", "google_user:client:clinic/calendar"], tokens: 50)),
            .quotaGrant(.init(id: "q1", waitedMS: 0)),
            .quotaReport(.init(keys: ["cronofy:app"], status: 429, retryAfterMS: 2_000)),
            .quotaReport(.init(keys: ["google:client"], status: 403, retryAfterMS: nil)),
        ]
    }

    static func recorded() throws -> [String] {
        try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func encodesToTheRecordedBytes() throws {
        let recorded = try Self.recorded()
        let samples = Self.samples
        #expect(recorded.count == samples.count)
        for (m, line) in zip(samples, recorded) {
            #expect(String(decoding: try Wire.line(m), as: UTF8.self) == line + "\n")
        }
    }

    /// Every kind has a sample, and each sample names the kind it is.
    @Test func everyKindIsRecorded() {
        #expect(Set(Self.samples.map(\.kind)) == Set(PipeMessage.Kind.allCases))
    }

    /// As in the first version, a reader drops (as malformed) a line whose `type` it does not know
    /// or whose `v` is not 1: the first version's decoder threw for the former and its readers
    /// checked `v` after decoding; now the decoder refuses both, and the readers drop what does
    /// not decode.
    @Test(arguments: [
        #"{"type":"explode","v":1}"#, #"{"id":"s1","type":"ping","v":2}"#, #"{"id":"s1","type":"ping","v":0}"#,
        #"{"state":"idle","type":"status","v":2}"#, #"{"id":"s1","type":"ping"}"#, #"{"id":"s1","v":1}"#,
        #"{"id":"s1","type":"ping","v":"1"}"#, "{not json",
    ])
    func linesAReaderDrops(line: String) {
        #expect(throws: DecodingError.self) {
            try Wire.decoder().decode(PipeMessage.self, from: Data(line.utf8))
        }
    }

    /// Fields a message does not have, or that no version defines, are ignored.
    @Test func extraFieldsAreIgnored() throws {
        let line = #"{"id":"s1","job":"x","new_field":{"a":[1]},"type":"ping","v":1}"#
        #expect(try Wire.decoder().decode(PipeMessage.self, from: Data(line.utf8)) == .ping(.init(id: "s1")))
    }

    /// Only the three fields a summary needs are required of `run_finished`, as the first
    /// version's reader required them.
    @Test func runFinishedNeedsItsIdentityOnly() throws {
        let line = #"{"job":"j","result":"success","run_id":"r","type":"run_finished","v":1}"#
        let m = try Wire.decoder().decode(PipeMessage.self, from: Data(line.utf8))
        #expect(
            m
                == .runFinished(
                    .init(
                        runID: "r", job: "j", trigger: nil, result: "success", to: ActionCounts(), from: ActionCounts(),
                        started: nil, durationMS: 0, requestIDs: [], batchDone: false)))
        for missing in ["job", "result", "run_id"] {
            let partial = line.replacingOccurrences(of: #""\#(missing)":"#, with: #""x_\#(missing)":"#)
            #expect(throws: DecodingError.self) {
                try Wire.decoder().decode(PipeMessage.self, from: Data(partial.utf8))
            }
        }
    }

    @Test func decodesTheRecordedLinesToTheSameValues() throws {
        for (m, line) in zip(Self.samples, try Self.recorded()) {
            #expect(try Wire.decoder().decode(PipeMessage.self, from: Data(line.utf8)) == m)
        }
    }
}
