import Foundation

extension CronofyFake {
    /// `GET /v1/events`.
    func readEvents(_ r: FakeRequest) -> FakeResponse {
        guard let tzid = r.param("tzid"), TimeZone(identifier: tzid) != nil else {
            return CronofyFake.unprocessable("tzid", "errors.required", "tzid must be a known time zone identifier")
        }
        let zone = TimeZone(identifier: tzid)!
        let from = r.param("from").flatMap { CronofyFake.parseBound($0, zone) }
        let to = r.param("to").flatMap { CronofyFake.parseBound($0, zone) }
        let lastModified = r.param("last_modified").flatMap { ISOTime.date(from: $0) }
        let includeManaged = r.flag("include_managed")
        let onlyManaged = r.flag("only_managed")
        let includeDeleted = r.flag("include_deleted")
        let calendarIDs = Set(r.params("calendar_ids[]"))
        return lock.withLock {
            var items: [[String: Any]] = []
            for rec in records.values.sorted(by: { $0.eventUID < $1.eventUID }) {
                if !calendarIDs.isEmpty && !calendarIDs.contains(rec.calendarID) { continue }
                if rec.eventID != nil && !includeManaged && !onlyManaged { continue }
                if rec.eventID == nil && onlyManaged { continue }
                if rec.deleted && !includeDeleted { continue }
                if let lastModified, rec.updated < lastModified { continue }
                let s = CronofyFake.instant(rec.fields["start"]) ?? .distantPast
                let e = CronofyFake.instant(rec.fields["end"]) ?? s
                if let from, e <= from { continue }
                if let to, s >= to { continue }
                items.append(render(rec))
            }
            counter += 1
            let token = "pg\(counter)"
            pages[token] = (items, 0)
            if pages.count > 500 { pages.removeValue(forKey: "pg\(counter - 500)") }
            return nextPage(token, host: r.headers["host"])
        }
    }

    /// Serves a page (caller holds the lock). `token` is `<listing>` or `<listing>.<offset>`;
    /// page URLs can be fetched again (a retried page gets the same answer).
    func nextPage(_ token: String, host: String?) -> FakeResponse {
        let parts = token.split(separator: ".")
        let listing = String(parts[0])
        let offset = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        guard let p = pages[listing], offset <= p.items.count else {
            return .json(404, ["error": "page_not_found"])
        }
        let end = min(p.items.count, offset + pageSize)
        let slice = Array(p.items[offset..<end])
        let total = max(1, (p.items.count + pageSize - 1) / pageSize)
        var pagesInfo: [String: Any] = ["current": offset / pageSize + 1, "total": total]
        if end < p.items.count {
            pagesInfo["next_page"] = "http://\(host ?? "127.0.0.1")/v1/events/pages/\(listing).\(end)"
        }
        return .json(200, ["pages": pagesInfo, "events": slice])
    }

    /// An event as `GET /v1/events` shows it (caller holds the lock).
    func render(_ rec: CronofyRecord) -> [String: Any] {
        var e: [String: Any] = [
            "calendar_id": rec.calendarID, "event_uid": rec.eventUID,
            "summary": rec.fields["summary"] ?? "", "description": rec.fields["description"] ?? "",
            "start": CronofyFake.renderTime(rec.fields["start"]), "end": CronofyFake.renderTime(rec.fields["end"]),
            "deleted": rec.deleted, "created": ISOTime.plainString(from: rec.created),
            "updated": ISOTime.plainString(from: rec.updated),
            "participation_status": "needs_action", "transparency": rec.fields["transparency"] ?? "opaque",
            "status": rec.fields["status"] ?? "confirmed", "recurring": false, "event_private": false,
            "attendees": rec.fields["attendees"] ?? [], "options": ["delete": true, "update": true],
        ]
        if let id = rec.eventID { e["event_id"] = id }
        if let loc = rec.fields["location"] { e["location"] = loc }
        return e
    }

    /// `POST /v1/calendars/{id}/events`: create or update by `event_id` → 202.
    func upsert(calendar: String, _ body: [String: Any]) -> FakeResponse {
        lock.withLock { upsertLocked(calendar: calendar, body) }
    }

    func upsertLocked(calendar: String, _ body: [String: Any]) -> FakeResponse {
        guard let cal = calendars.first(where: { $0.id == calendar }) else {
            return .json(404, ["error": "calendar_not_found"])
        }
        if cal.readonly {
            return CronofyFake.unprocessable("calendar_id", "errors.calendar_readonly", "calendar is read-only")
        }
        let externalUID = body["event_uid"] as? String
        if let uid = externalUID {
            // Updating an event not created through the API: by `event_uid`, never creating.
            guard let rec = records[uid], rec.calendarID == calendar, !rec.deleted else {
                return .json(404, ["error": "event_not_found"])
            }
        }
        guard let eventID = (body["event_id"] as? String) ?? externalUID, !eventID.isEmpty else {
            return CronofyFake.unprocessable("event_id", "errors.required", "event_id must be specified")
        }
        guard eventID.utf8.count <= 200 else {
            return CronofyFake.unprocessable("event_id", "errors.too_long", "event_id is too long")
        }
        guard let summary = body["summary"] as? String, !summary.isEmpty else {
            return CronofyFake.unprocessable("summary", "errors.required", "summary must be specified")
        }
        _ = summary
        guard let start = CronofyFake.instant(body["start"]) else {
            return CronofyFake.unprocessable("start", "errors.required", "start must be specified")
        }
        guard let end = CronofyFake.instant(body["end"]) else {
            return CronofyFake.unprocessable("end", "errors.required", "end must be specified")
        }
        guard end >= start else {
            return CronofyFake.unprocessable("end", "errors.end_before_start", "end must be after start")
        }
        var fields: [String: Any] = [:]
        for k in ["summary", "description", "start", "end", "tzid", "location", "transparency", "status"] {
            fields[k] = body[k]
        }
        let key = externalUID ?? records.first { $0.value.eventID == eventID && $0.value.calendarID == calendar }?.key
        var previous = key.flatMap { records[$0] }
        // An upsert on a deleted event's `event_id` makes a new event: nothing of the old one
        // (its attendees, their answers) comes back with it.
        var atts = previous?.deleted == false ? previous?.fields["attendees"] as? [[String: Any]] ?? [] : []
        if let invite = (body["attendees"] as? [String: Any])?["invite"] as? [[String: Any]] {
            for a in invite where !atts.contains(where: { ($0["email"] as? String) == (a["email"] as? String) }) {
                atts.append([
                    "email": a["email"] ?? "", "display_name": a["display_name"] ?? "",
                    "status": "needs_action",
                ])
            }
        }
        if let reject = (body["attendees"] as? [String: Any])?["reject"] as? [[String: Any]] {
            let gone = Set(reject.compactMap { $0["email"] as? String })
            atts.removeAll { gone.contains($0["email"] as? String ?? "") }
        }
        fields["attendees"] = atts
        if previous != nil && previous!.deleted == false {
            previous!.fields = fields
            previous!.updated = Date()
            if externalUID != nil { previous!.fields["attendees"] = atts }
            records[key!] = previous!
        } else {
            counter += 1
            let uid = key ?? "evt_managed_\(counter)"
            records[uid] = CronofyRecord(
                calendarID: calendar, eventUID: uid, eventID: eventID, fields: fields,
                updated: Date(), created: Date(), deleted: false)
        }
        return .empty(202)
    }

    /// `DELETE /v1/calendars/{id}/events` with `{event_id}` → 202 (also when already gone).
    func delete(calendar: String, _ body: [String: Any]) -> FakeResponse {
        lock.withLock { deleteLocked(calendar: calendar, body) }
    }

    func deleteLocked(calendar: String, _ body: [String: Any]) -> FakeResponse {
        guard let cal = calendars.first(where: { $0.id == calendar }) else {
            return .json(404, ["error": "calendar_not_found"])
        }
        if cal.readonly {
            return CronofyFake.unprocessable("calendar_id", "errors.calendar_readonly", "calendar is read-only")
        }
        if let uid = body["event_uid"] as? String {
            if let rec = records[uid], rec.calendarID == calendar, !rec.deleted {
                records[uid]!.deleted = true
                records[uid]!.updated = Date()
            }
            return .empty(202)
        }
        guard let eventID = body["event_id"] as? String else {
            return CronofyFake.unprocessable("event_id", "errors.required", "event_id must be specified")
        }
        if let key = records.first(where: { $0.value.eventID == eventID && $0.value.calendarID == calendar })?.key,
            !records[key]!.deleted
        {
            records[key]!.deleted = true
            records[key]!.updated = Date()
        }
        return .empty(202)
    }

    /// `POST /v1/batch`: `{"batch":[{method, relative_url, data}]}` → 207 `{"batch":[{status, data?}]}`.
    func batch(_ r: FakeRequest) -> FakeResponse {
        guard let entries = r.jsonObject?["batch"] as? [[String: Any]] else {
            return CronofyFake.unprocessable("batch", "errors.required", "batch must be specified")
        }
        guard entries.count <= 50 else {
            return CronofyFake.unprocessable("batch", "errors.too_many", "batch may hold at most 50 entries")
        }
        var out: [[String: Any]] = []
        var logged: [LoggedPart] = []
        for entry in entries {
            let url = entry["relative_url"] as? String ?? ""
            let segs = url.split(separator: "/").map(String.init)
            let data = entry["data"] as? [String: Any] ?? [:]
            var response: FakeResponse
            var part = LoggedPart(method: entry["method"] as? String ?? "", path: url, status: 0)
            if let fault = partFaults?.draw(), fault == .tooManyRequests || fault == .rateLimited {
                part.fault = fault
                response = .json(429, ["error": "too_many_requests"])
            } else if segs.count == 4, segs[0] == "v1", segs[1] == "calendars", segs[3] == "events" {
                switch entry["method"] as? String {
                case "POST": response = lock.withLock { upsertLocked(calendar: segs[2], data) }
                case "DELETE": response = lock.withLock { deleteLocked(calendar: segs[2], data) }
                default: response = .json(405, ["error": "method_not_allowed"])
                }
            } else {
                response = .json(404, ["error": "not_found"])
            }
            part.status = response.status
            logged.append(part)
            var item: [String: Any] = ["status": response.status]
            if !response.body.isEmpty, let obj = try? JSONSerialization.jsonObject(with: response.body) {
                item["data"] = obj
            }
            out.append(item)
        }
        var answer = FakeResponse.json(207, ["batch": out])
        answer.parts = logged
        return answer
    }

    /// A time field: `"2026-03-01T09:00:00Z"`, `"2026-03-01"` or `{"time": …, "tzid": …}`.
    static func instant(_ v: Any?) -> Date? {
        if let o = v as? [String: Any] { return instant(o["time"]) }
        guard let s = v as? String else { return nil }
        if s.count == 10 { return ISOTime.date(from: s + "T00:00:00Z") }
        return ISOTime.date(from: s) ?? GoogleStore.parse(s)
    }

    /// Times are answered in UTC (`Z`); dates stay dates.
    static func renderTime(_ v: Any?) -> Any {
        if let o = v as? [String: Any] { return renderTime(o["time"]) }
        guard let s = v as? String else { return "" }
        if s.count == 10 { return s }
        return instant(s).map { ISOTime.plainString(from: $0) } ?? s
    }

    static func parseBound(_ s: String, _ zone: TimeZone) -> Date? {
        if s.count == 10 {
            var c = Calendar(identifier: .gregorian)
            c.timeZone = zone
            let p = s.split(separator: "-").compactMap { Int($0) }
            guard p.count == 3 else { return nil }
            return c.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))
        }
        return ISOTime.date(from: s)
    }
}
