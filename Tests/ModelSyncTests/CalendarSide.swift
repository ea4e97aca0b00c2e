import AlmanacCore
import AlmanacHTTP
import CronofyConnector
import FakeCalendars
import Foundation
import GoogleCalendarConnector
import Logging

/// The calendar side of an episode: a fake service on 127.0.0.1, the real connector pointed at
/// it, what a calendar user does, and the live events read back as the model describes them.
protocol CalendarSide: AnyObject {
    var server: FakeServer { get }
    var connector: any Connector { get }
    /// An event made in the calendar itself; returns its key.
    func create(_ f: Fields) -> String
    /// Sets title, notes, location, start and end as a calendar user would.
    func edit(_ key: String, _ f: Fields)
    /// The first attendee answers: `needsAction`, `accepted` or `declined`.
    func respond(_ key: String, _ response: String)
    func delete(_ key: String)
    /// Changes something almanac does not sync (Google: `colorId`).
    func touchUnsynced(_ key: String)
    /// Every live event.
    func events() -> [String: EventValue]
}

/// An OAuth client registered with a fake, and the HTTP settings the model's connectors use.
struct FakeAccount {
    static let transport = TransportOptions(maxConcurrent: 2)
    static let retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.1)
    let server: FakeServer
    let token: String

    init(_ server: FakeServer) {
        self.server = server
        token = server.auth.register(clientID: "model-client", secret: "model-secret-value")
    }

    func client(_ format: OAuthClient.BodyFormat) -> OAuthClient {
        OAuthClient(
            tokenURL: server.tokenURL, clientID: "model-client", clientSecret: "model-secret-value",
            bodyFormat: format)
    }
}

/// Google Calendar: events keyed by id; participants from almanac's stash or the attendees.
final class GoogleSide: CalendarSide {
    let server: FakeServer
    let connector: any Connector
    var fake: GoogleFake { server.google! }

    init(directory: URL, zone: TimeZone) throws {
        server = try FakeServer(.google)
        let account = FakeAccount(server)
        let settings = GoogleSettings(
            calendarID: "primary", baseURL: server.baseURL, client: account.client(.form),
            refreshToken: account.token, batchSize: 50, transport: FakeAccount.transport, retry: FakeAccount.retry)
        connector = GoogleConnector(
            settings: settings, stateDirectory: directory, connection: "cal", timeZone: zone,
            logger: Episode.logger)
    }

    static func time(_ d: Date) -> [String: Any] {
        ["dateTime": d.formatted(Date.ISO8601FormatStyle()), "timeZone": "America/Chicago"]
    }

    func create(_ f: Fields) -> String {
        var json: [String: Any] = ["summary": f.title ?? "", "start": Self.time(f.start)]
        json["end"] = Self.time(f.end ?? f.start)
        if let n = f.notes { json["description"] = n }
        if let l = f.location { json["location"] = l }
        if let email = f.email {
            var a: [String: Any] = ["email": email, "responseStatus": "needsAction"]
            if let name = f.name { a["displayName"] = name }
            json["attendees"] = [a]
        }
        return fake.seed(json)
    }

    func edit(_ key: String, _ f: Fields) {
        fake.edit(key) { e in
            e["summary"] = f.title
            e["description"] = f.notes
            e["location"] = f.location
            e["start"] = Self.time(f.start)
            e["end"] = Self.time(f.end ?? f.start)
        }
    }

    func respond(_ key: String, _ response: String) {
        fake.edit(key) { e in
            var a = e["attendees"] as? [[String: Any]] ?? []
            if !a.isEmpty { a[0]["responseStatus"] = response }
            e["attendees"] = a
        }
    }

    func delete(_ key: String) { fake.userDelete(key) }

    func touchUnsynced(_ key: String) { fake.edit(key) { $0["colorId"] = "\(Int.random(in: 1...11))" } }

    func events() -> [String: EventValue] {
        var out: [String: EventValue] = [:]
        for e in fake.events() {
            guard let id = e["id"] as? String else { continue }
            let priv = (e["extendedProperties"] as? [String: Any])?["private"] as? [String: String] ?? [:]
            let attendee = (e["attendees"] as? [[String: Any]])?.first
            func time(_ v: Any?) -> Date? {
                ((v as? [String: Any])?["dateTime"] as? String).flatMap { try? Date.ISO8601FormatStyle().parse($0) }
            }
            let fields = Fields(
                title: e["summary"] as? String, notes: e["description"] as? String,
                location: e["location"] as? String, start: time(e["start"]) ?? .distantPast, end: time(e["end"]),
                name: priv["almanac.p0.name"] ?? attendee?["displayName"] as? String,
                email: priv["almanac.p0.email"] ?? attendee?["email"] as? String,
                kind: priv["almanac.custom.appt_type"])
            out[id] = EventValue(
                fields: fields, response: attendee?["responseStatus"] as? String ?? "",
                external: priv["almanacOrigin"] == nil)
        }
        return out
    }
}

/// Cronofy: managed events keyed by `event_id`, events made in the calendar by `event_uid`;
/// no custom fields; participants are the attendees.
final class CronofySide: CalendarSide {
    let server: FakeServer
    let connector: any Connector
    var fake: CronofyFake { server.cronofy! }

    init(directory: URL, zone: TimeZone) throws {
        server = try FakeServer(.cronofy)
        let account = FakeAccount(server)
        let settings = CronofySettings(
            calendarID: server.cronofy!.calendarIDs[0], baseURL: server.baseURL, client: account.client(.json),
            refreshToken: account.token, tzid: zone.identifier, transport: FakeAccount.transport,
            retry: FakeAccount.retry)
        connector = CronofyConnector(
            settings: settings, stateDirectory: directory, connection: "cal", logger: Episode.logger)
    }

    static func time(_ d: Date) -> String { d.formatted(Date.ISO8601FormatStyle()) }

    func create(_ f: Fields) -> String {
        var fields: [String: Any] = [
            "summary": f.title ?? "", "start": Self.time(f.start), "end": Self.time(f.end ?? f.start),
        ]
        if let n = f.notes { fields["description"] = n }
        if let l = f.location { fields["location"] = ["description": l] }
        if let email = f.email {
            fields["attendees"] = [["email": email, "display_name": f.name ?? "", "status": "needs_action"]]
        }
        return fake.seed(fields: fields)
    }

    func edit(_ key: String, _ f: Fields) {
        fake.edit(key: key) { e in
            e["summary"] = f.title
            e["description"] = f.notes
            e["location"] = f.location.map { ["description": $0] }
            e["start"] = Self.time(f.start)
            e["end"] = Self.time(f.end ?? f.start)
        }
    }

    func respond(_ key: String, _ response: String) {
        fake.edit(key: key) { e in
            var a = e["attendees"] as? [[String: Any]] ?? []
            if !a.isEmpty { a[0]["status"] = response == "needsAction" ? "needs_action" : response }
            e["attendees"] = a
        }
    }

    func delete(_ key: String) { fake.userDelete(key: key) }

    func touchUnsynced(_ key: String) { fake.edit(key: key) { $0["transparency"] = "transparent" } }

    func events() -> [String: EventValue] {
        var out: [String: EventValue] = [:]
        for (key, e) in fake.liveEventsByKey() {
            let attendee = (e["attendees"] as? [[String: Any]])?.first
            func time(_ v: Any?) -> Date? { (v as? String).flatMap { try? Date.ISO8601FormatStyle().parse($0) } }
            func text(_ v: Any?) -> String? { (v as? String).flatMap { $0.isEmpty ? nil : $0 } }
            let fields = Fields(
                title: text(e["summary"]), notes: text(e["description"]),
                location: (e["location"] as? [String: Any])?["description"] as? String,
                start: time(e["start"]) ?? .distantPast, end: time(e["end"]),
                name: text(attendee?["display_name"]), email: attendee?["email"] as? String, kind: nil)
            let status = attendee?["status"] as? String
            out[key] = EventValue(
                fields: fields, response: status.map { $0 == "needs_action" ? "needsAction" : $0 } ?? "",
                external: e["event_id"] == nil)
        }
        return out
    }
}
