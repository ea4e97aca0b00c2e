import AlmanacCore
import AlmanacWire
import Foundation
import Testing

@testable import AlmanacSupervisor

/// `docs/openapi.json` against the code: the same routes and roles as `ControlRoutes`, served
/// byte for byte, and each schema of a wire type with exactly the keys the type encodes. The
/// end-to-end `OpenAPIConformanceTests` checks it against a running daemon.
@Suite(.timeLimit(.minutes(10)))
struct OpenAPIDocumentTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")

    static func document() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: path))
        return try #require(object as? [String: Any])
    }

    /// `(METHOD /path, operation)` of every documented operation.
    static func operations() throws -> [(String, [String: Any])] {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        return paths.flatMap { path, item in
            item.compactMap { method, op in (op as? [String: Any]).map { ("\(method.uppercased()) \(path)", $0) } }
        }
    }

    static func schema(_ name: String) throws -> [String: Any] {
        let components = try #require(try document()["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any], "no schema \(name)")
    }

    @Test func theServedDocumentIsTheFile() throws {
        #expect(PackageResources.openapi_json == Array(try Data(contentsOf: Self.path)))
        #expect(try Self.document()["openapi"] as? String == "3.1.0")
    }

    @Test func everyRouteIsDocumentedWithItsRoleAndNothingElse() throws {
        let documented = Dictionary(uniqueKeysWithValues: try Self.operations())
        let routes = Set(ControlRoutes.all.map(\.description))
        #expect(Set(documented.keys) == routes)
        for route in ControlRoutes.all {
            #expect(documented[route.description]?["x-almanac-role"] as? String == route.role.rawValue, "\(route)")
        }
    }

    @Test func everyOperationHasAnIdAndDocuments401And403() throws {
        var ids: Set<String> = []
        for (name, op) in try Self.operations() {
            let id = try #require(op["operationId"] as? String, "\(name)")
            #expect(ids.insert(id).inserted, "\(name): operationId \(id) twice")
            let responses = try #require(op["responses"] as? [String: Any], "\(name)")
            #expect(responses["401"] != nil && responses["403"] != nil, "\(name)")
        }
    }

    /// Closed shapes: every object schema says `additionalProperties: false` and declares what it
    /// requires (a validator reads a required key it was not told about as "anything").
    @Test func everyObjectSchemaIsClosed() throws {
        let components = try #require(try Self.document()["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: [String: Any]])
        for (name, schema) in schemas where schema["type"] as? String == "object" {
            #expect(schema["additionalProperties"] as? Bool == false, "\(name) is open")
            let properties = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
            let required = Set(schema["required"] as? [String] ?? [])
            #expect(required.isSubset(of: properties), "\(name) requires \(required.subtracting(properties))")
        }
    }

    /// The keys of `full` (every optional set) are the schema's properties; the keys of `minimal`
    /// (every optional nil), when given, are its required ones.
    func expectKeys(_ name: String, full: some Encodable, minimal: (some Encodable)?) throws {
        let schema = try Self.schema(name)
        let properties = Set(try #require(schema["properties"] as? [String: Any]).keys)
        #expect(try Self.keys(full) == properties, "\(name): the type encodes other keys than the schema lists")
        if let minimal {
            #expect(try Self.keys(minimal) == Set(schema["required"] as? [String] ?? []), "\(name): required")
        }
    }

    static func keys(_ value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Wire.encoder().encode(value))
        return Set(try #require(object as? [String: Any]).keys)
    }

    @Test func everyWireTypeHasExactlyItsSchemasKeys() throws {
        let now = Date()
        var counts = ActionCounts()
        counts.created = 1
        let finished = PipeMessage.RunFinished(
            runID: "r", job: "main", trigger: "manual", result: "failed", to: counts, from: counts, started: now,
            durationMS: 5, errorCode: "run.error", error: "e", cause: ["c"], requestIDs: [], batchDone: true,
            dryRun: true)
        let run = RunSummary(finished, finished: now)
        var bare = finished
        (bare.trigger, bare.started, bare.errorCode, bare.error, bare.cause, bare.dryRun) = (
            nil, nil, nil, nil, nil, nil
        )
        let connection = ConnectionHealth(
            name: "db", state: .failing, since: now, checked: now, errorCode: "odbc.connect_failed", error: "e")
        var status = ProfileStatus(name: "clinic", state: "idle", since: now, restarts: 0, enabled: true)
        let minimalStatus = status
        (status.pid, status.uptimeS, status.file, status.job) = (1, 2, "/p/clinic.toml", "main")
        (status.progress, status.nextRun, status.retryAt, status.retryInS) = (
            RunProgress(phase: "reading", done: 1, total: 2), now, now, 30
        )
        (status.lastRun, status.lastError, status.health) = (run, "main: run.error: e", "failing")
        status.jobs = [JobStatus(name: "main", lastRun: run, lastDryRun: run)]
        (status.connections, status.configError, status.configHash) = ([connection], ["bad"], "9f86")
        let none: Int? = nil

        try expectKeys("ProfileStatus", full: status, minimal: minimalStatus)
        var page = StatusList(profiles: [status])
        (page.total, page.failing, page.offset, page.limit) = (1, 1, 0, 100)
        try expectKeys("StatusList", full: page, minimal: StatusList(profiles: []))
        try expectKeys("RunSummary", full: run, minimal: RunSummary(bare, finished: now))
        try expectKeys("ActionCounts", full: counts, minimal: counts)
        try expectKeys(
            "RunProgress", full: RunProgress(phase: "applying", done: 1, total: 3),
            minimal: RunProgress(phase: "applying"))
        try expectKeys(
            "JobStatus", full: JobStatus(name: "main", lastRun: run, lastDryRun: run),
            minimal: JobStatus(name: "main"))
        try expectKeys(
            "ConnectionHealth", full: connection,
            minimal: ConnectionHealth(name: "db", state: .ok, since: now, checked: now))
        try expectKeys("RunHistory", full: RunHistory(profile: "clinic", runs: [run]), minimal: none)
        let appointment = ConflictAppointment(
            keyFrom: "a1", keyTo: "e1", title: "t", start: "2027-01-01T09:00:00Z", end: "2027-01-01T10:00:00Z",
            allDay: false)
        let bareAppointment = ConflictAppointment(
            keyFrom: nil, keyTo: nil, title: nil, start: "2027-01-01", end: nil, allDay: true)
        let conflict = ScheduleConflict(
            job: "main", field: "custom.room", value: "a", first: appointment, second: bareAppointment)
        try expectKeys("ConflictAppointment", full: appointment, minimal: bareAppointment)
        try expectKeys("ScheduleConflict", full: conflict, minimal: none)
        try expectKeys(
            "ConflictList", full: ConflictList(profile: "clinic", count: 1, conflicts: [conflict]), minimal: none)
        try expectKeys("LogLines", full: LogLines(lines: ["x"]), minimal: none)
        let unsharded = Health(ok: true, version: "1", pid: 1, uptimeS: 1, profiles: 1, running: 1)
        var sharded = unsharded
        (sharded.shard, sharded.shards) = (1, 2)
        try expectKeys("Health", full: sharded, minimal: unsharded)
        try expectKeys("CallerInfo", full: CallerInfo(role: .operate), minimal: none)
        let bucket = QuotaStatus.Bucket(
            key: "google:c", ratePerMinute: 600, burst: 50, currentPerMinute: 300, tokens: 2.5, granted: 10, grants: 3,
            waits: 1, waitMS: 40, waiting: 0, rateLimited: 1, blockedMS: 900)
        var unblocked = bucket
        unblocked.blockedMS = nil
        try expectKeys("QuotaBucket", full: bucket, minimal: unblocked)
        try expectKeys("QuotaStatus", full: QuotaStatus(buckets: [bucket]), minimal: QuotaStatus(buckets: []))
        try expectKeys(
            "ActionResult",
            full: ActionResult(
                ok: false, message: "m", code: .profileNotFound,
                connections: [ConnectionResult(name: "db", ok: true, detail: "d")]),
            minimal: ActionResult(ok: true, message: "m"))
        try expectKeys("ConnectionResult", full: ConnectionResult(name: "db", ok: true, detail: "d"), minimal: none)
        try expectKeys(
            "SyncEvent",
            full: SyncEvent(
                event: "run", progress: RunProgress(phase: "reading"), job: "main", run: run, ok: false, error: "e"),
            minimal: SyncEvent(event: "done"))
        try expectKeys("SyncRequest", full: SyncRequest(job: "main", since: now), minimal: none)
        // The error answers: an `ActionResult` whose `ok` is false, with a code.
        try expectKeys("Error", full: ActionResult(ok: false, message: "m", code: .apiNotFound), minimal: none)
    }

    /// The enumerations the document lists are the code's.
    @Test func enumerationsAreTheCodes() throws {
        func values(_ schema: String, _ property: String) throws -> Set<String> {
            let properties = try #require(try Self.schema(schema)["properties"] as? [String: [String: Any]])
            return Set(try #require(properties[property]?["enum"] as? [String], "\(schema).\(property)"))
        }
        #expect(try values("ProfileStatus", "state") == Set(WorkerState.allCases.map(\.rawValue)))
        #expect(try values("CallerInfo", "role") == Set(AccessRole.allCases.map(\.rawValue)))
        #expect(
            try values("RunSummary", "trigger")
                == Set([RunTrigger.schedule, .manual, .startup, .retry].map(\.rawValue)))
        #expect(
            try values("RunSummary", "result") == Set([RunResult.success, .partial, .failed, .blocked].map(\.rawValue)))
        #expect(
            try values("ConnectionHealth", "state")
                == Set([ConnectionHealth.State.ok, .failing, .reconnectRequired].map(\.rawValue)))
    }
}
