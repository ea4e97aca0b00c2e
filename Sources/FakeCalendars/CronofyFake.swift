import Foundation

/// One stored Cronofy event.
struct CronofyRecord {
    var calendarID: String
    var eventUID: String
    /// Set for managed events (created through the API with an `event_id`).
    var eventID: String?
    var fields: [String: Any]
    var updated: Date
    var created: Date
    var deleted: Bool
}

/// A Cronofy-compatible server: calendars list, events read (with `tzid`, paging through
/// `pages.next_page`, `last_modified`, `include_managed`, `include_deleted`), upsert by `event_id`
/// (202), delete by `event_id`, the batch endpoint (207), 422 bodies
/// `{"errors":{field:[{key,description}]}}` (also for writes to read-only calendars), and the
/// token endpoint (`/oauth/token`). Checked with Cronofy's own client: `contrib/conformance`.
public final class CronofyFake: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    let lock = NSLock()
    var calendars: [(id: String, name: String, readonly: Bool)] = [("cal_fake_primary", "Clinic", false)]
    var records: [String: CronofyRecord] = [:]
    var pages: [String: (items: [[String: Any]], offset: Int)] = [:]
    var counter = 0
    public let auth = FakeAuth()
    /// Events per page of `GET /v1/events`.
    public var pageSize = 50
    /// Faults for the entries of batch requests (set by `FakeServer`).
    var partFaults: FaultInjector?

    public init() {}

    // MARK: - Test helpers

    public var calendarIDs: [String] { lock.withLock { calendars.map(\.id) } }

    /// Adds a calendar to the account.
    public func addCalendar(id: String, name: String, readonly: Bool = false) {
        lock.withLock { calendars.append((id, name, readonly)) }
    }

    /// Live managed events (created by API clients) keyed by `event_id`.
    public func managedEvents() -> [String: [String: Any]] {
        lock.withLock {
            var out: [String: [String: Any]] = [:]
            for r in records.values where !r.deleted { if let id = r.eventID { out[id] = render(r) } }
            return out
        }
    }

    /// Every live event, rendered as `GET /v1/events` would.
    public func liveEvents() -> [[String: Any]] {
        lock.withLock { records.values.filter { !$0.deleted }.map(render) }
    }

    /// Sets an attendee's response as the invitee would (bumps `updated`).
    public func respond(eventID: String, email: String, status: String) {
        lock.withLock {
            guard let key = records.first(where: { $0.value.eventID == eventID })?.key else { return }
            var atts = records[key]!.fields["attendees"] as? [[String: Any]] ?? []
            for i in atts.indices where (atts[i]["email"] as? String) == email { atts[i]["status"] = status }
            records[key]!.fields["attendees"] = atts
            records[key]!.updated = Date()
        }
    }

    /// Changes fields of a managed event as a calendar user would (bumps `updated`).
    public func edit(eventID: String, _ change: (inout [String: Any]) -> Void) {
        lock.withLock {
            guard let key = records.first(where: { $0.value.eventID == eventID && !$0.value.deleted })?.key else {
                return
            }
            change(&records[key]!.fields)
            records[key]!.updated = Date()
        }
    }

    /// Deletes an event as a calendar user would.
    public func userDelete(eventID: String) {
        lock.withLock {
            guard let key = records.first(where: { $0.value.eventID == eventID })?.key else { return }
            records[key]!.deleted = true
            records[key]!.updated = Date()
        }
    }

    /// Adds an event made in the calendar itself (unmanaged: no `event_id`).
    @discardableResult
    public func seed(calendarID: String? = nil, summary: String, start: String, end: String) -> String {
        lock.withLock {
            counter += 1
            let uid = "evt_external_\(counter)"
            records[uid] = CronofyRecord(
                calendarID: calendarID ?? calendars[0].id, eventUID: uid, eventID: nil,
                fields: ["summary": summary, "start": start, "end": end],
                updated: Date(), created: Date(), deleted: false)
            return uid
        }
    }

    /// Adds an event made in the calendar itself from upsert-style fields (`summary`, `start`,
    /// `end`, `description`, `location`, `attendees` as `[{email, display_name, status}]`).
    @discardableResult
    public func seed(fields: [String: Any], calendarID: String? = nil) -> String {
        lock.withLock {
            counter += 1
            let uid = "evt_external_\(counter)"
            records[uid] = CronofyRecord(
                calendarID: calendarID ?? calendars[0].id, eventUID: uid, eventID: nil,
                fields: fields, updated: Date(), created: Date(), deleted: false)
            return uid
        }
    }

    /// Every live event (managed or not) keyed by `event_id`, else `event_uid`.
    public func liveEventsByKey() -> [String: [String: Any]] {
        lock.withLock {
            var out: [String: [String: Any]] = [:]
            for r in records.values where !r.deleted { out[r.eventID ?? r.eventUID] = render(r) }
            return out
        }
    }

    /// The account's events as a JSON-compatible value (for a state file).
    public func snapshot() -> [String: Any] {
        lock.withLock {
            var recs: [String: Any] = [:]
            for (uid, r) in records {
                var o: [String: Any] = [
                    "calendar_id": r.calendarID, "fields": r.fields, "deleted": r.deleted,
                    "updated": r.updated.timeIntervalSince1970,
                    "created": r.created.timeIntervalSince1970,
                ]
                if let id = r.eventID { o["event_id"] = id }
                recs[uid] = o
            }
            return ["counter": counter, "records": recs]
        }
    }

    /// Restores what `snapshot()` returned.
    public func restore(_ obj: [String: Any]) {
        lock.withLock {
            counter = max(counter, obj["counter"] as? Int ?? 0)
            for (uid, r) in obj["records"] as? [String: [String: Any]] ?? [:] {
                records[uid] = CronofyRecord(
                    calendarID: r["calendar_id"] as? String ?? "", eventUID: uid, eventID: r["event_id"] as? String,
                    fields: r["fields"] as? [String: Any] ?? [:],
                    updated: Date(timeIntervalSince1970: r["updated"] as? Double ?? 0),
                    created: Date(timeIntervalSince1970: r["created"] as? Double ?? 0),
                    deleted: r["deleted"] as? Bool ?? false)
            }
        }
    }

    // MARK: - Routing

    func handle(_ r: FakeRequest) -> FakeResponse {
        if r.method == "POST" && r.path == "/oauth/token" { return auth.tokenResponse(r, includeRefresh: true) }
        guard auth.isValid(accessToken: r.bearer) else {
            return FakeResponse(status: 401, headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
        }
        switch (r.method, r.path) {
        case ("GET", "/v1/calendars"): return listCalendars()
        case ("GET", "/v1/events"): return readEvents(r)
        case ("POST", "/v1/batch"): return batch(r)
        default: break
        }
        if r.method == "GET" && r.path.hasPrefix("/v1/events/pages/") {
            return lock.withLock {
                nextPage(String(r.path.dropFirst("/v1/events/pages/".count)), host: r.headers["host"])
            }
        }
        let segs = r.path.split(separator: "/").map(String.init)
        if segs.count == 4, segs[0] == "v1", segs[1] == "calendars", segs[3] == "events" {
            let body = r.jsonObject ?? [:]
            switch r.method {
            case "POST": return upsert(calendar: segs[2], body)
            case "DELETE": return delete(calendar: segs[2], body)
            default: break
            }
        }
        return .json(404, ["error": "not_found"])
    }

    func listCalendars() -> FakeResponse {
        lock.withLock {
            .json(
                200,
                [
                    "calendars": calendars.map { c -> [String: Any] in
                        [
                            "provider_name": "google", "profile_id": "pro_fake", "profile_name": "clinic@example.com",
                            "calendar_id": c.id, "calendar_name": c.name, "calendar_readonly": c.readonly,
                            "calendar_deleted": false, "calendar_primary": c.id == calendars[0].id,
                            "permission_level": c.readonly ? "restricted" : "unrestricted",
                        ]
                    }
                ])
        }
    }

    static func unprocessable(_ field: String, _ key: String, _ description: String) -> FakeResponse {
        .json(422, ["errors": [field: [["key": key, "description": description]]]])
    }
}
