import Foundation

/// A Google Calendar v3-compatible server: events list/get/insert/update/patch/delete, the batch
/// endpoint, sync tokens with 410 expiry, etags with `If-Match` → 412 and `If-None-Match` → 304,
/// reserved ids → 409, short pages, cancelled tombstones (listed with `showDeleted`, and with
/// `updatedMin` when deleted since), extended-property filters, `singleEvents` expansion, and the
/// OAuth token endpoint (`/token`). Checked with Google's own client: `contrib/conformance`.
public final class GoogleFake: @unchecked Sendable {
    // @unchecked: `store` and `snapshots` are guarded by `lock`.
    let lock = NSLock()
    var store = GoogleStore()
    var snapshots: [String: GoogleSnapshot] = [:]
    var snapshotCounter = 0
    public let auth = FakeAuth()
    /// Largest page served, whatever `maxResults` asks (short pages by design).
    public var pageCap = 250
    /// Faults for the inner calls of batch requests (set by `FakeServer`).
    var partFaults: FaultInjector?

    public init() {}

    // MARK: - Test helpers

    /// Makes every sync token issued so far answer 410 Gone.
    public func expireSyncTokens() { lock.withLock { store.epoch += 1 } }

    /// The live (not deleted) events of `calendar`, as JSON objects.
    public func events(in calendar: String = "primary") -> [[String: Any]] {
        lock.withLock { (store.calendars[calendar] ?? [:]).values.filter { !$0.deleted }.map(\.json) }
    }

    public func event(_ id: String, in calendar: String = "primary") -> [String: Any]? {
        lock.withLock { store.calendars[calendar]?[id].flatMap { $0.deleted ? nil : $0.json } }
    }

    /// Stores an event as if a user created it in the calendar's own UI; returns its id.
    @discardableResult
    public func seed(_ json: [String: Any], in calendar: String = "primary") -> String {
        lock.withLock {
            var j = json
            let id = (json["id"] as? String) ?? "u\(store.seq + 1)x"
            let s = store.stamp(&j, id: id, calendar: calendar, created: nil)
            store.calendars[calendar, default: [:]][id] = GoogleRecord(json: j, seq: s, deleted: false)
            return id
        }
    }

    /// Changes fields of a stored event as a calendar user would (bumps etag and sync position).
    public func edit(_ id: String, in calendar: String = "primary", _ change: (inout [String: Any]) -> Void) {
        lock.withLock {
            guard var rec = store.calendars[calendar]?[id] else { return }
            change(&rec.json)
            rec.seq = store.stamp(&rec.json, id: id, calendar: calendar, created: rec.json["created"] as? String)
            store.calendars[calendar]?[id] = rec
        }
    }

    /// Deletes an event as a calendar user would (leaves a tombstone; the id stays reserved).
    public func userDelete(_ id: String, in calendar: String = "primary") {
        lock.withLock {
            guard var rec = materialized(id, calendar: calendar) else { return }
            store.markDeleted(&rec)
            store.calendars[calendar]?[id] = rec
        }
    }

    /// The calendars as a JSON-compatible value (for a state file).
    public func snapshot() -> [String: Any] {
        lock.withLock {
            var cals: [String: Any] = [:]
            for (c, recs) in store.calendars {
                cals[c] = recs.mapValues { ["json": $0.json, "seq": $0.seq, "deleted": $0.deleted] as [String: Any] }
            }
            return ["seq": store.seq, "calendars": cals]
        }
    }

    /// Restores what `snapshot()` returned.
    public func restore(_ obj: [String: Any]) {
        lock.withLock {
            store.seq = obj["seq"] as? Int ?? store.seq
            for (c, recs) in obj["calendars"] as? [String: [String: [String: Any]]] ?? [:] {
                for (id, r) in recs {
                    store.calendars[c, default: [:]][id] = GoogleRecord(
                        json: r["json"] as? [String: Any] ?? [:], seq: r["seq"] as? Int ?? 0,
                        deleted: r["deleted"] as? Bool ?? false)
                }
            }
        }
    }

    // MARK: - Routing

    /// Answers one request (faults are applied by `FakeServer` around this).
    func handle(_ r: FakeRequest) -> FakeResponse {
        if r.method == "POST" && r.path == "/token" { return auth.tokenResponse(r, includeRefresh: false) }
        guard auth.isValid(accessToken: r.bearer) else {
            return GoogleFake.error(401, "authError", "Invalid Credentials")
        }
        if r.method == "POST" && r.path == "/batch/calendar/v3" { return batch(r) }
        return route(r)
    }

    func route(_ r: FakeRequest) -> FakeResponse {
        let segs = r.path.split(separator: "/").map { FakeRequest.decode(String($0)) }
        guard segs.count >= 5, segs[0] == "calendar", segs[1] == "v3", segs[2] == "calendars", segs[4] == "events"
        else { return GoogleFake.error(404, "notFound", "Not Found") }
        let cal = segs[3]
        if segs.count == 5 {
            switch r.method {
            case "GET": return list(r, calendar: cal)
            case "POST": return insert(r, calendar: cal)
            default: return GoogleFake.error(405, "methodNotAllowed", "Method not allowed")
            }
        }
        if segs.count == 7, segs[6] == "instances", r.method == "GET" {
            return instances(r, series: segs[5], calendar: cal)
        }
        guard segs.count == 6 else { return GoogleFake.error(404, "notFound", "Not Found") }
        let id = segs[5]
        switch r.method {
        case "GET": return get(id, calendar: cal, ifNoneMatch: r.headers["if-none-match"])
        case "PUT": return modify(r, id: id, calendar: cal, merge: false)
        case "PATCH": return modify(r, id: id, calendar: cal, merge: true)
        case "DELETE": return delete(r, id: id, calendar: cal)
        default: return GoogleFake.error(405, "methodNotAllowed", "Method not allowed")
        }
    }

    static func error(_ code: Int, _ reason: String, _ message: String) -> FakeResponse {
        .json(
            code,
            [
                "error": [
                    "errors": [
                        [
                            "domain": code == 403 ? "usageLimits" : "global", "reason": reason,
                            "message": message,
                        ]
                    ],
                    "code": code, "message": message,
                ]
            ])
    }

    // MARK: - Single-event calls

    /// `events.get`; with `If-None-Match` naming the current etag the answer is 304 without a body.
    func get(_ id: String, calendar: String, ifNoneMatch: String? = nil) -> FakeResponse {
        lock.withLock {
            if let rec = store.calendars[calendar]?[id] {
                if let ifNoneMatch, ifNoneMatch == "*" || ifNoneMatch == rec.etag {
                    return FakeResponse(status: 304, headers: [("ETag", rec.etag)])
                }
                if rec.deleted {
                    return .json(
                        200,
                        [
                            "kind": "calendar#event", "id": id, "status": "cancelled",
                            "etag": rec.etag,
                        ], headers: [("ETag", rec.etag)])
                }
                return .json(200, rec.json, headers: [("ETag", rec.etag)])
            }
            if let inst = instance(id, calendar: calendar) { return .json(200, inst) }
            return GoogleFake.error(404, "notFound", "Not Found")
        }
    }

    /// A generated instance of a stored series (caller holds the lock).
    func instance(_ id: String, calendar: String) -> [String: Any]? {
        guard let us = id.lastIndex(of: "_"), let series = store.calendars[calendar]?[String(id[..<us])],
            !series.deleted
        else { return nil }
        return GoogleStore.expand(series).first { ($0["id"] as? String) == id }
    }

    func insert(_ r: FakeRequest, calendar: String) -> FakeResponse {
        guard var json = r.jsonObject else { return GoogleFake.error(400, "parseError", "Parse Error") }
        guard json["start"] != nil, json["end"] != nil else {
            return GoogleFake.error(400, "required", "Missing end time.")
        }
        let stored: Result<([String: Any], Int), FakeResponseBox> = lock.withLock {
            let id: String
            if let given = json["id"] as? String {
                guard GoogleStore.validID(given) else {
                    return .failure(FakeResponseBox(GoogleFake.error(400, "invalid", "Invalid resource id value.")))
                }
                if store.calendars[calendar]?[given] != nil {
                    return .failure(
                        FakeResponseBox(GoogleFake.error(409, "duplicate", "The requested identifier already exists.")))
                }
                id = given
            } else {
                id = String(format: "g%015x", store.seq + 1)
            }
            let s = store.stamp(&json, id: id, calendar: calendar, created: nil)
            store.calendars[calendar, default: [:]][id] = GoogleRecord(json: json, seq: s, deleted: false)
            return .success((json, s))
        }
        switch stored {
        case .success(let (json, s)): return .json(200, json, headers: [("ETag", "\"\(s)\"")])
        case .failure(let box): return box.response
        }
    }

    struct FakeResponseBox: Error {
        let response: FakeResponse
        init(_ r: FakeResponse) { response = r }
    }

    func modify(_ r: FakeRequest, id: String, calendar: String, merge: Bool) -> FakeResponse {
        guard let body = r.jsonObject else { return GoogleFake.error(400, "parseError", "Parse Error") }
        return lock.withLock {
            guard var rec = materialized(id, calendar: calendar) else {
                return GoogleFake.error(404, "notFound", "Not Found")
            }
            if rec.deleted { return GoogleFake.error(410, "deleted", "Resource has been deleted") }
            if let m = r.headers["if-match"], m != "*", m != rec.etag {
                return GoogleFake.error(412, "conditionNotMet", "Precondition Failed")
            }
            var json: [String: Any]
            if merge {
                json = GoogleFake.patch(rec.json, with: body)
            } else {
                json = body
                for k in ["recurringEventId", "originalStartTime"] { json[k] = json[k] ?? rec.json[k] }
            }
            guard json["start"] != nil, json["end"] != nil else {
                return GoogleFake.error(400, "required", "Missing end time.")
            }
            rec.seq = store.stamp(&json, id: id, calendar: calendar, created: rec.json["created"] as? String)
            rec.json = json
            store.calendars[calendar, default: [:]][id] = rec
            return .json(200, json, headers: [("ETag", rec.etag)])
        }
    }

    /// Google's patch semantics: objects merge key by key (`extendedProperties.private` keeps the
    /// keys the body leaves out), arrays and scalars replace, `null` removes. PUT replaces the
    /// whole resource instead.
    static func patch(_ resource: [String: Any], with body: [String: Any]) -> [String: Any] {
        var out = resource
        for (k, v) in body {
            if v is NSNull {
                out[k] = nil
            } else if let object = v as? [String: Any], let current = out[k] as? [String: Any] {
                out[k] = patch(current, with: object)
            } else {
                out[k] = v
            }
        }
        return out
    }

    func delete(_ r: FakeRequest, id: String, calendar: String) -> FakeResponse {
        lock.withLock {
            guard var rec = materialized(id, calendar: calendar) else {
                return GoogleFake.error(404, "notFound", "Not Found")
            }
            if rec.deleted { return GoogleFake.error(410, "deleted", "Resource has been deleted") }
            if let m = r.headers["if-match"], m != "*", m != rec.etag {
                return GoogleFake.error(412, "conditionNotMet", "Precondition Failed")
            }
            store.markDeleted(&rec)
            store.calendars[calendar]?[id] = rec
            return .empty(204)
        }
    }
}
