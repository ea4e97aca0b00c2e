import Foundation

/// Which service a `FakeServer` imitates.
public enum FakeService: String, Sendable {
    case google, cronofy
}

/// One fake service on a loopback port: the service state, fault injection and a request log.
///
/// Faults apply to API calls (and, drawn separately, to the inner calls of batches), never to the
/// token endpoint. A `reset` fault applies the request and then drops the connection.
public final class FakeServer: Sendable {
    public let service: FakeService
    public let google: GoogleFake?
    public let cronofy: CronofyFake?
    public let log = RequestLog()
    let faults = FaultInjector(.none)
    let partFaults = FaultInjector(.none)
    let http: LoopbackHTTPServer

    /// Starts the fake on 127.0.0.1:`port` (0 = any free port). Throws when the port is taken.
    public init(_ service: FakeService, port: Int = 0, faults policy: FaultPolicy = .none) throws {
        self.service = service
        let google = service == .google ? GoogleFake() : nil
        let cronofy = service == .cronofy ? CronofyFake() : nil
        self.google = google
        self.cronofy = cronofy
        let log = self.log
        let faults = self.faults
        google?.partFaults = partFaults
        cronofy?.partFaults = partFaults
        http = LoopbackHTTPServer { request in
            FakeServer.serve(request, service: service, google: google, cronofy: cronofy, faults: faults, log: log)
        }
        setFaults(policy)
        try http.start(port: port)
    }

    /// The port bound.
    public var port: Int { http.port }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The token endpoint clients refresh at.
    public var tokenURL: String { baseURL + (service == .google ? "/token" : "/oauth/token") }

    public var auth: FakeAuth { google?.auth ?? cronofy!.auth }

    /// Changes fault injection from now on (the seed restarts).
    public func setFaults(_ policy: FaultPolicy) {
        faults.set(policy)
        var inner = policy
        inner.seed = policy.seed &+ 1
        inner.kinds = policy.kinds.filter { Int($0.rawValue) != nil }
        partFaults.set(inner)
    }

    public func stop() { http.stop() }

    /// What a calendar's user does, for the demo and manual tests (loopback, no credentials):
    /// `POST /_fake/respond?id=ID&status=accepted|declined|tentative[&calendar=primary]` answers
    /// for the first attendee (Google `id`, Cronofy `event_id`); `POST /_fake/delete?id=ID` deletes
    /// as the user would.
    static func admin(_ r: FakeRequest, google: GoogleFake?, cronofy: CronofyFake?) -> FakeResponse {
        guard r.method == "POST", let id = r.param("id") else { return .json(400, ["error": "id required"]) }
        let calendar = r.param("calendar") ?? "primary"
        switch r.path {
        case "/_fake/respond":
            guard let status = r.param("status") else { return .json(400, ["error": "status required"]) }
            if let google {
                guard google.event(id, in: calendar) != nil else { return .json(404, ["error": "no such event"]) }
                google.edit(id, in: calendar) { e in
                    var attendees = e["attendees"] as? [[String: Any]] ?? []
                    if !attendees.isEmpty { attendees[0]["responseStatus"] = status }
                    e["attendees"] = attendees
                }
            } else if let cronofy {
                guard let email = (cronofy.managedEvents()[id]?["attendees"] as? [[String: Any]])?.first?["email"] as? String
                else { return .json(404, ["error": "no such event or no attendee"]) }
                cronofy.respond(eventID: id, email: email, status: status == "needsAction" ? "needs_action" : status)
            }
            return .json(200, ["ok": true])
        case "/_fake/delete":
            google?.userDelete(id, in: calendar)
            cronofy?.userDelete(eventID: id)
            return .json(200, ["ok": true])
        default:
            return .json(404, ["error": "unknown admin call"])
        }
    }

    static func serve(
        _ r: FakeRequest, service: FakeService, google: GoogleFake?, cronofy: CronofyFake?,
        faults: FaultInjector, log: RequestLog
    ) -> ServerAction {
        if r.path.hasPrefix("/_fake/") {
            let response = admin(r, google: google, cronofy: cronofy)
            log.append(LoggedRequest(time: Date(), method: r.method, target: r.path, status: response.status, fault: nil,
                                     retryAfter: nil, batchParts: 0))
            return .respond(response)
        }
        let isToken = r.path == "/token" || r.path == "/oauth/token"
        let arrival = Date()
        let fault = isToken ? nil : faults.draw()
        var target = r.path
        if !isToken && !r.query.isEmpty {
            target += "?" + r.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        var parts = 0
        if r.path.hasPrefix("/batch") || r.path == "/v1/batch" {
            if service == .cronofy {
                parts = (r.jsonObject?["batch"] as? [Any])?.count ?? 0
            } else if let b = r.headers["content-type"].flatMap(MultipartMixed.boundary(of:)) {
                parts = MultipartMixed.countParts(r.body, boundary: b)
            }
        }
        func process() -> FakeResponse { google?.handle(r) ?? cronofy!.handle(r) }
        var response: FakeResponse
        var action: ServerAction?
        var retryAfter: Int?
        let kind = (fault == .rateLimited && service == .cronofy) ? .tooManyRequests : fault
        switch kind {
        case .tooManyRequests?:
            retryAfter = faults.current.retryAfter
            response =
                service == .google
                ? GoogleFake.error(429, "rateLimitExceeded", "Rate Limit Exceeded")
                : .json(429, ["error": "too_many_requests"])
            response.headers.append(("Retry-After", "\(retryAfter!)"))
        case .rateLimited?:
            response = GoogleFake.error(403, "userRateLimitExceeded", "User Rate Limit Exceeded")
        case .internalError?:
            response =
                service == .google
                ? GoogleFake.error(500, "backendError", "Backend Error")
                : .json(500, ["error": "internal_error"])
        case .unavailable?:
            response =
                service == .google
                ? GoogleFake.error(503, "backendError", "Service Unavailable")
                : .json(503, ["error": "unavailable"])
        case .reset?:
            response = process()
            action = .reset
        case .slow?:
            Thread.sleep(forTimeInterval: faults.current.slowDelay)
            response = process()
        case nil:
            response = process()
        }
        log.append(
            LoggedRequest(
                time: arrival, method: r.method, target: target,
                status: action == nil ? response.status : 0, fault: fault,
                retryAfter: retryAfter, batchParts: parts))
        return action ?? .respond(response)
    }
}
