import AlmanacCore
import Foundation

/// Turning Cronofy events (as `GET /v1/events` returns them) into `Event`s and back.
enum CronofyMapping {
    static func parseInstant(_ s: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s) { return d }
        return try? Date.ISO8601FormatStyle().parse(s)
    }

    static func utc(_ d: Date) -> String { d.formatted(Date.ISO8601FormatStyle()) }

    /// `"2027-01-01T09:00:00Z"`, `"2027-01-01"` or `{"time": …, "tzid": …}`.
    static func time(_ v: Any?) -> EventTime? {
        if let o = v as? [String: Any], let t = o["time"] as? String {
            if t.count == 10 { return CivilDate(iso: t).map { .allDay($0) } }
            return parseInstant(t).map { .instant($0, timeZone: o["tzid"] as? String) }
        }
        guard let s = v as? String else { return nil }
        if s.count == 10 { return CivilDate(iso: s).map { .allDay($0) } }
        return parseInstant(s).map { .instant($0, timeZone: nil) }
    }

    static func time(_ t: EventTime) -> Any {
        switch t {
        case .allDay(let c): return c.description
        case .instant(let d, _): return utc(d)
        }
    }

    static func response(_ s: String?) -> ResponseStatus {
        switch s {
        case "accepted": return .accepted
        case "declined": return .declined
        case "tentative": return .tentative
        default: return .needsAction
        }
    }

    /// The item key: `event_id` for managed events (ours), else `event_uid`.
    static func key(_ e: [String: Any]) -> String? {
        (e["event_id"] as? String) ?? (e["event_uid"] as? String)
    }

    static func event(_ e: [String: Any]) -> (Event?, ItemProblem?) {
        let key = key(e) ?? "?"
        guard let start = time(e["start"]) else {
            return (nil, ItemProblem(key: key, field: "start", reason: "missing or unreadable start"))
        }
        let attendees = e["attendees"] as? [[String: Any]] ?? []
        let participants = attendees.map {
            Participant(
                name: ($0["display_name"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                email: $0["email"] as? String, response: response($0["status"] as? String))
        }
        let location = (e["location"] as? [String: Any])?["description"] as? String
        let status = EventStatus(rawValue: e["status"] as? String ?? "confirmed") ?? .confirmed
        func empty(_ s: String?) -> String? { (s ?? "").isEmpty ? nil : s }
        let summary = e["summary"] as? String
        return (
            Event(
                title: summary == untitled ? nil : empty(summary), description: empty(e["description"] as? String),
                location: location, start: start, end: time(e["end"]), status: status,
                participants: participants,
                created: (e["created"] as? String).flatMap(parseInstant),
                updated: (e["updated"] as? String).flatMap(parseInstant),
                origin: e["event_id"] as? String), nil
        )
    }

    /// The summary an untitled event is sent with (Cronofy requires one); read back as no title,
    /// so the placeholder never travels to the other side as if someone had typed it.
    static let untitled = "(no title)"

    /// The upsert body for `event` under `eventID`. Cronofy needs a summary and an end: an
    /// untitled event is sent as `untitled`, one without an end ends when it starts (all-day:
    /// the next day).
    static func upsert(_ e: Event, eventID: String, tzid: String) -> [String: Any] {
        var body: [String: Any] = [
            "event_id": eventID, "summary": (e.title ?? "").isEmpty ? untitled : e.title!, "tzid": tzid,
            "description": e.description ?? "", "start": time(e.start),
        ]
        if case .instant(_, let z?) = e.start, TimeZone(identifier: z) != nil { body["tzid"] = z }
        switch (e.end, e.start) {
        case (let x?, _): body["end"] = time(x)
        case (nil, .allDay(let c)): body["end"] = c.adding(days: 1).description
        case (nil, let s): body["end"] = time(s)
        }
        if let l = e.location, !l.isEmpty { body["location"] = ["description": l] }
        let invite = e.participants.compactMap { p -> [String: Any]? in
            guard let email = p.email, !email.isEmpty else { return nil }
            return ["email": email, "display_name": p.name ?? ""]
        }
        if !invite.isEmpty { body["attendees"] = ["invite": invite] }
        if e.status == .tentative { body["transparency"] = "transparent" }
        return body
    }
}
