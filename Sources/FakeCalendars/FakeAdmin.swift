import Foundation

/// The fakes' admin endpoints under `/_fake/` (loopback, no credentials): what a calendar's user
/// does, and the switches tests need. Every endpoint is listed in `Sources/FakeCalendars/README.md`.
struct FakeAdmin: Sendable {
    let google: GoogleFake?
    let cronofy: CronofyFake?
    let people: PeopleFake?
    let log: RequestLog
    /// Sets fault injection: `scope` is `requests`, `parts` or `all`.
    let setFaults: @Sendable (FaultPolicy, String) -> Void

    func handle(_ r: FakeRequest) -> FakeResponse {
        switch (r.method, r.path) {
        case ("GET", "/_fake/log"):
            let lines = log.all.flatMap(log.jsonLines)
            return FakeResponse(
                status: 200, headers: [("Content-Type", "application/x-ndjson")],
                body: Data(lines.map { $0 + "\n" }.joined().utf8))
        case ("DELETE", "/_fake/log"):
            log.clear()
            return .json(200, ["ok": true])
        case ("POST", "/_fake/expire-access-tokens"):
            (google?.auth ?? cronofy?.auth)?.expireAccessTokens()
            return .json(200, ["ok": true])
        case ("POST", "/_fake/expire-sync-tokens"):
            guard let google else { return .json(404, ["error": "google only"]) }
            google.expireSyncTokens()
            people?.expireSyncTokens()
            return .json(200, ["ok": true])
        case ("POST", "/_fake/faults"):
            return faults(r)
        case ("POST", "/_fake/calendars"):
            guard let cronofy, let id = r.param("id") else { return .json(400, ["error": "cronofy only; id required"]) }
            cronofy.addCalendar(id: id, name: r.param("name") ?? id, readonly: r.flag("readonly"))
            return .json(200, ["ok": true])
        case ("POST", "/_fake/seed"):
            return seed(r)
        case ("POST", "/_fake/respond"), ("POST", "/_fake/delete"):
            return userAction(r)
        case (_, let path) where path.hasPrefix("/_fake/people/"):
            guard let people else { return .json(404, ["error": "google only"]) }
            return peopleAdmin(r, people)
        default:
            return .json(404, ["error": "unknown admin call"])
        }
    }

    /// `POST /_fake/faults?rate=R[&kinds=429,503,…][&retry_after=S][&slow_delay=S][&seed=N][&scope=all|requests|parts]`.
    func faults(_ r: FakeRequest) -> FakeResponse {
        guard let rate = r.param("rate").flatMap(Double.init), (0...1).contains(rate) else {
            return .json(400, ["error": "rate between 0 and 1 required"])
        }
        var kinds = FaultKind.allCases
        if let list = r.param("kinds") {
            kinds = list.split(separator: ",").compactMap { FaultKind(rawValue: String($0)) }
            guard !kinds.isEmpty else { return .json(400, ["error": "unknown fault kinds"]) }
        }
        let scope = r.param("scope") ?? "all"
        guard ["all", "requests", "parts"].contains(scope) else {
            return .json(400, ["error": "scope is all, requests or parts"])
        }
        let slowDelay = r.param("slow_delay").map { Double($0) ?? -1 } ?? 0.3
        guard slowDelay >= 0, slowDelay <= 300 else {
            return .json(400, ["error": "slow_delay is seconds from 0 to 300"])
        }
        let policy = FaultPolicy(
            rate: rate, kinds: kinds, retryAfter: r.param("retry_after").flatMap(Int.init) ?? 1,
            slowDelay: slowDelay, seed: r.param("seed").flatMap(UInt64.init) ?? 42)
        setFaults(policy, scope)
        return .json(200, ["ok": true])
    }

    /// `POST /_fake/seed[?calendar=ID]` with an event as the body: stored as if made in the
    /// calendar's own UI (Google: an event resource; Cronofy: an unmanaged event from upsert-style
    /// fields). Answers `{"id": …}` (Google id, Cronofy `event_uid`).
    func seed(_ r: FakeRequest) -> FakeResponse {
        guard let body = r.jsonObject else { return .json(400, ["error": "JSON object body required"]) }
        if let google { return .json(200, ["id": google.seed(body, in: r.param("calendar") ?? "primary")]) }
        return .json(200, ["id": cronofy!.seed(fields: body, calendarID: r.param("calendar"))])
    }

    /// `POST /_fake/respond?id=ID&status=accepted|declined|tentative[&calendar=primary]` answers
    /// for the first attendee (Google `id`, Cronofy `event_id`); `POST /_fake/delete?id=ID` deletes
    /// as the user would.
    func userAction(_ r: FakeRequest) -> FakeResponse {
        guard let id = r.param("id") else { return .json(400, ["error": "id required"]) }
        let calendar = r.param("calendar") ?? "primary"
        if r.path == "/_fake/delete" {
            google?.userDelete(id, in: calendar)
            cronofy?.userDelete(eventID: id)
            return .json(200, ["ok": true])
        }
        guard let status = r.param("status") else { return .json(400, ["error": "status required"]) }
        if let google {
            guard google.event(id, in: calendar) != nil else { return .json(404, ["error": "no such event"]) }
            google.edit(id, in: calendar) { e in
                var attendees = e["attendees"] as? [[String: Any]] ?? []
                if !attendees.isEmpty { attendees[0]["responseStatus"] = status }
                e["attendees"] = attendees
            }
        } else if let cronofy {
            guard
                let email = (cronofy.managedEvents()[id]?["attendees"] as? [[String: Any]])?.first?["email"] as? String
            else { return .json(404, ["error": "no such event or no attendee"]) }
            cronofy.respond(eventID: id, email: email, status: status == "needsAction" ? "needs_action" : status)
        }
        return .json(200, ["ok": true])
    }
}
