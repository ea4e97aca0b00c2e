import AlmanacCore
import Foundation

/// `Event` as the protocol's JSON (docs/connector-protocol/event.schema.json): snake_case names,
/// absent members for nil and empty values, times as `{"date_time": …}` or `{"date": …}`.
public enum EventJSON {
    public struct Invalid: Error, Sendable {
        public var field: String
        public var reason: String
    }

    public static func json(_ e: Event) -> JSONValue {
        var o = JSONObject()
        if let t = e.title { o["title"] = .string(t) }
        if let d = e.description { o["description"] = .string(d) }
        if let l = e.location { o["location"] = .string(l) }
        o["start"] = json(e.start)
        if let end = e.end { o["end"] = json(end) }
        if e.status != .confirmed { o["status"] = .string(e.status.rawValue) }
        if !e.participants.isEmpty {
            o["participants"] = .array(
                e.participants.map { p in
                    var po = JSONObject()
                    if let n = p.name { po["name"] = .string(n) }
                    if let m = p.email { po["email"] = .string(m) }
                    if !p.phones.isEmpty {
                        var phones = JSONObject()
                        for kind in PhoneKind.allCases {
                            if let v = p.phones[kind] { phones[kind.rawValue] = .string(v) }
                        }
                        po["phones"] = .object(phones)
                    }
                    if p.response != .needsAction { po["response"] = .string(p.response.rawValue) }
                    return .object(po)
                })
        }
        if !e.custom.isEmpty {
            var c = JSONObject()
            for k in e.custom.keys.sorted() { c[k] = .string(e.custom[k]!) }
            o["custom"] = .object(c)
        }
        if let c = e.created { o["created"] = .string(RFC3339.string(c)) }
        if let u = e.updated { o["updated"] = .string(RFC3339.string(u)) }
        if let r = e.recurrence {
            o["recurrence"] = .object(
                JSONObject(["series_key": .string(r.seriesKey), "original_start": json(r.originalStart)]))
        }
        if let origin = e.origin { o["origin"] = .string(origin) }
        return .object(o)
    }

    public static func json(_ t: EventTime) -> JSONValue {
        switch t {
        case .allDay(let c): return .object(JSONObject(["date": .string(c.description)]))
        case .instant(let d, let zone):
            var o = JSONObject(["date_time": .string(RFC3339.string(d))])
            if let zone { o["time_zone"] = .string(zone) }
            return .object(o)
        }
    }

    /// The event of `value`. Throws `Invalid` naming the field at fault.
    public static func event(_ value: JSONValue) throws(Invalid) -> Event {
        guard let o = value.object else { throw Invalid(field: "event", reason: "is not an object") }
        guard let startValue = o["start"], !startValue.isNull else {
            throw Invalid(field: "start", reason: "is missing")
        }
        var e = Event(start: try time(startValue, "start"))
        e.title = try text(o, "title")
        e.description = try text(o, "description")
        e.location = try text(o, "location")
        if let end = o["end"], !end.isNull { e.end = try time(end, "end") }
        if let s = try text(o, "status") {
            guard let status = EventStatus(rawValue: s) else {
                throw Invalid(field: "status", reason: "must be confirmed, tentative or cancelled, got \"\(s)\"")
            }
            e.status = status
        }
        if let ps = o["participants"], !ps.isNull {
            guard let list = ps.array else { throw Invalid(field: "participants", reason: "is not an array") }
            for p in list {
                guard let po = p.object else { throw Invalid(field: "participants", reason: "holds a non-object") }
                var part = Participant(name: try text(po, "name"), email: try text(po, "email"))
                if let phones = po["phones"]?.object {
                    for (k, v) in zip(phones.keys, phones.values) {
                        guard let kind = PhoneKind(rawValue: k), let s = v.string else {
                            throw Invalid(
                                field: "participants", reason: "phones: unknown kind \"\(k)\" or not a string")
                        }
                        part.phones[kind] = s
                    }
                }
                if let r = try text(po, "response") {
                    guard let response = ResponseStatus(rawValue: r) else {
                        throw Invalid(field: "participants", reason: "unknown response \"\(r)\"")
                    }
                    part.response = response
                }
                e.participants.append(part)
            }
        }
        if let c = o["custom"], !c.isNull {
            guard let co = c.object else { throw Invalid(field: "custom", reason: "is not an object") }
            for (k, v) in zip(co.keys, co.values) {
                guard let s = v.string else { throw Invalid(field: "custom", reason: "\(k) is not a string") }
                e.custom[k] = s
            }
        }
        e.created = try instant(o, "created")
        e.updated = try instant(o, "updated")
        if let r = o["recurrence"], !r.isNull {
            guard let ro = r.object, let key = ro.string("series_key"), let os = ro["original_start"] else {
                throw Invalid(field: "recurrence", reason: "needs series_key and original_start")
            }
            e.recurrence = RecurrenceInstance(seriesKey: key, originalStart: try time(os, "recurrence"))
        }
        e.origin = try text(o, "origin")
        return e
    }

    private static func text(_ o: JSONObject, _ key: String) throws(Invalid) -> String? {
        guard let v = o[key] else { return nil }
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: throw Invalid(field: key, reason: "is not a string")
        }
    }

    private static func instant(_ o: JSONObject, _ key: String) throws(Invalid) -> Date? {
        guard let s = try text(o, key) else { return nil }
        guard let d = RFC3339.date(s) else { throw Invalid(field: key, reason: "is not an RFC 3339 time: \"\(s)\"") }
        return d
    }

    private static func time(_ v: JSONValue, _ field: String) throws(Invalid) -> EventTime {
        guard let o = v.object else { throw Invalid(field: field, reason: "is not an object") }
        if let s = o.string("date_time") {
            guard let d = RFC3339.date(s) else {
                throw Invalid(field: field, reason: "date_time is not an RFC 3339 time with offset: \"\(s)\"")
            }
            return .instant(d, timeZone: o.string("time_zone"))
        }
        if let s = o.string("date") {
            guard let c = CivilDate(iso: s) else {
                throw Invalid(field: field, reason: "date is not YYYY-MM-DD: \"\(s)\"")
            }
            return .allDay(c)
        }
        throw Invalid(field: field, reason: "needs date_time or date")
    }
}
