import AlmanacCore
import Foundation

/// The fields of a Google Calendar v3 `Event` resource that almanac reads and writes.
struct GoogleEventResource: Codable, Hashable {
    struct Time: Codable, Hashable {
        var date: String?
        var dateTime: String?
        var timeZone: String?
    }

    struct Attendee: Codable, Hashable {
        var email: String?
        var displayName: String?
        /// needsAction | declined | tentative | accepted
        var responseStatus: String?
        var organizer: Bool?
        var resource: Bool?
    }

    struct ExtendedProperties: Codable, Hashable {
        var `private`: [String: String]?
        var shared: [String: String]?
    }

    var id: String?
    var etag: String?
    /// confirmed | tentative | cancelled
    var status: String?
    var summary: String?
    var description: String?
    var location: String?
    var start: Time?
    var end: Time?
    var attendees: [Attendee]?
    var created: String?
    var updated: String?
    var recurringEventId: String?
    var originalStartTime: Time?
    /// RRULE, RDATE and EXDATE lines of a recurring event (`GoogleSeries`).
    var recurrence: [String]?
    var extendedProperties: ExtendedProperties?
}

/// The answer of `events.list`.
struct GoogleEventList: Decodable {
    var items: [GoogleEventResource]?
    var nextPageToken: String?
    var nextSyncToken: String?
}

/// Turning Google resources into `Event`s and back.
enum GoogleMapping {
    typealias Time = GoogleEventResource.Time
    typealias Attendee = GoogleEventResource.Attendee
    typealias ExtendedProperties = GoogleEventResource.ExtendedProperties

    /// The private extended property holding the origin stamp of events almanac created.
    static let originKey = "almanacOrigin"
    /// Prefix of private extended properties carrying `Event.custom`.
    static let customPrefix = "almanac.custom."
    /// Prefix of private extended properties carrying participants (`almanac.p0.name`,
    /// `almanac.p0.email`, `almanac.p0.phone.mobile`…): attendees need an email and have no
    /// phone, and reminder services need the phone.
    static let participantPrefix = "almanac.p"

    static func rfc3339(_ d: Date, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: d)
        let seconds = d.timeIntervalSince1970
        // Whole seconds and whole-minute offsets in years 1970-8000 are formatted by hand (the
        // format style showed in profiles of large writes); others by the format style.
        if seconds >= 0, seconds < 200_000_000_000, seconds.rounded(.down) == seconds, offset % 60 == 0 {
            return rfc3339(wall: Int(seconds) + offset, offset: offset)
        }
        return rfc3339Styled(d, in: zone)
    }

    /// `rfc3339` by Foundation's ISO 8601 format style.
    static func rfc3339Styled(_ d: Date, in zone: TimeZone) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: zone)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        var s = d.formatted(style)
        if zone.secondsFromGMT(for: d) == 0 && s.hasSuffix("Z") == false && s.hasSuffix("+00:00") {
            s = String(s.dropLast(6)) + "Z"
        }
        return s
    }

    /// `yyyy-MM-ddTHH:mm:ss` of `wall` (seconds since 1970-01-01 00:00 on the wall clock), then
    /// `Z` or `±HH:MM`.
    static func rfc3339(wall: Int, offset: Int) -> String {
        let days = wall >= 0 ? wall / 86_400 : (wall - 86_399) / 86_400
        let time = wall - days * 86_400
        let civil = CivilDate(daysSince1970: days)
        let (year, month, day) = (civil.year, civil.month, civil.day)
        var out = [UInt8]()
        out.reserveCapacity(25)
        func two(_ n: Int) {
            out.append(UInt8(48 + n / 10))
            out.append(UInt8(48 + n % 10))
        }
        two(year / 100)
        two(year % 100)
        out.append(UInt8(ascii: "-"))
        two(month)
        out.append(UInt8(ascii: "-"))
        two(day)
        out.append(UInt8(ascii: "T"))
        two(time / 3_600)
        out.append(UInt8(ascii: ":"))
        two(time / 60 % 60)
        out.append(UInt8(ascii: ":"))
        two(time % 60)
        if offset == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            two(abs(offset) / 3_600)
            out.append(UInt8(ascii: ":"))
            two(abs(offset) / 60 % 60)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func parseInstant(_ s: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(s) { return d }
        return try? Date.ISO8601FormatStyle().parse(s)
    }

    static func time(_ t: Time?) -> EventTime? {
        guard let t else { return nil }
        if let d = t.date { return CivilDate(iso: d).map { .allDay($0) } }
        if let s = t.dateTime, let d = parseInstant(s) { return .instant(d, timeZone: t.timeZone) }
        return nil
    }

    static func time(_ t: EventTime, zone: TimeZone) -> Time {
        switch t {
        case .allDay(let c): return Time(date: c.description)
        case .instant(let d, let tz):
            let z = tz.flatMap(TimeZone.init(identifier:)) ?? zone
            return Time(dateTime: rfc3339(d, in: z), timeZone: z.identifier)
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

    static func response(_ r: ResponseStatus) -> String {
        switch r {
        case .accepted: return "accepted"
        case .declined: return "declined"
        case .tentative: return "tentative"
        case .needsAction: return "needsAction"
        }
    }

    /// The event of a resource, or a problem naming the field at fault. A recurring event's
    /// `recurrence` lines are read in `zone` when its start names no zone.
    static func event(_ g: GoogleEventResource, zone: TimeZone = .gmt) -> (Event?, ItemProblem?) {
        let key = g.id ?? "?"
        guard let start = time(g.start) else {
            return (nil, ItemProblem(key: key, field: "start", reason: "missing or unreadable start"))
        }
        var series: EventSeries?
        if let lines = g.recurrence, !lines.isEmpty {
            do { series = try GoogleSeries.series(lines, start: start, zone: zone) } catch {
                return (nil, ItemProblem(key: key, field: "recurrence", reason: "\(error)"))
            }
        }
        var custom: [String: String] = [:]
        var origin: String?
        var stashed: [Int: Participant] = [:]
        for (k, v) in g.extendedProperties?.private ?? [:] {
            if k == originKey {
                origin = v
            } else if k.hasPrefix(customPrefix) {
                custom[String(k.dropFirst(customPrefix.count))] = v
            } else if k.hasPrefix(participantPrefix) {
                let parts = k.dropFirst(participantPrefix.count).split(separator: ".")
                guard let n = parts.first.flatMap({ Int($0) }), parts.count >= 2 else { continue }
                var p = stashed[n] ?? Participant()
                switch (parts[1], parts.count > 2 ? PhoneKind(rawValue: String(parts[2])) : nil) {
                case ("name", _): p.name = v
                case ("email", _): p.email = v
                case ("phone", let kind?): p.phones[kind] = v
                default: break
                }
                stashed[n] = p
            }
        }
        let attendees = (g.attendees ?? []).filter { $0.resource != true }
        var participants: [Participant]
        if stashed.isEmpty {
            participants = attendees.map {
                Participant(name: $0.displayName, email: $0.email, response: response($0.responseStatus))
            }
        } else {
            // Our own stash, with each attendee's current answer (matched by email).
            participants = stashed.keys.sorted().map { stashed[$0]! }
            for i in participants.indices {
                if let a = attendees.first(where: {
                    $0.email != nil && $0.email?.lowercased() == participants[i].email?.lowercased()
                }) {
                    participants[i].response = response(a.responseStatus)
                }
            }
        }
        var recurrence: RecurrenceInstance?
        if let series = g.recurringEventId, let original = time(g.originalStartTime) {
            recurrence = RecurrenceInstance(seriesKey: series, originalStart: original)
        }
        return (
            Event(
                title: g.summary, description: g.description, location: g.location, start: start, end: time(g.end),
                status: EventStatus(rawValue: g.status ?? "confirmed") ?? .confirmed, participants: participants,
                custom: custom, created: g.created.flatMap(parseInstant), updated: g.updated.flatMap(parseInstant),
                recurrence: recurrence, origin: origin, series: series), nil
        )
    }

    /// The resource to send for `event` (id set for creates). Google needs an end: an event
    /// without one ends when it starts (all-day: the next day).
    static func resource(_ e: Event, id: String?, origin: String?, zone: TimeZone) -> GoogleEventResource {
        var g = GoogleEventResource()
        g.id = id
        g.summary = e.title
        g.description = e.description
        g.location = e.location
        g.status = e.status.rawValue
        g.start = time(e.start, zone: zone)
        let end: EventTime
        switch (e.end, e.start) {
        case (let x?, _): end = x
        case (nil, .allDay(let c)): end = .allDay(c.adding(days: 1))
        case (nil, let s): end = s
        }
        g.end = time(end, zone: zone)
        let withEmail = e.participants.filter { ($0.email ?? "").isEmpty == false }
        if !withEmail.isEmpty {
            g.attendees = withEmail.map {
                Attendee(email: $0.email, displayName: $0.name, responseStatus: response($0.response))
            }
        }
        var priv: [String: String] = [:]
        if let origin = origin ?? e.origin { priv[originKey] = origin }
        for (k, v) in e.custom { priv[customPrefix + k] = v }
        for (n, p) in e.participants.enumerated() {
            if let name = p.name { priv["\(participantPrefix)\(n).name"] = name }
            if let email = p.email { priv["\(participantPrefix)\(n).email"] = email }
            for (kind, phone) in p.phones { priv["\(participantPrefix)\(n).phone.\(kind.rawValue)"] = phone }
        }
        if !priv.isEmpty { g.extendedProperties = ExtendedProperties(private: priv) }
        if let r = e.recurrence {
            g.recurringEventId = r.seriesKey
            g.originalStartTime = time(r.originalStart, zone: zone)
        }
        if let s = e.series { g.recurrence = GoogleSeries.lines(s, start: e.start, zone: zone) }
        return g
    }
}
