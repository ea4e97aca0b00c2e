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
    /// The People API (contacts), served on the Google fake's port with its OAuth tokens.
    public let people: PeopleFake?
    public let log = RequestLog()
    let faults = FaultInjector(.none)
    let partFaults = FaultInjector(.none)
    let http: LoopbackHTTPServer

    /// Starts the fake on 127.0.0.1:`port` (0 = any free port). Throws when the port is taken.
    public init(_ service: FakeService, port: Int = 0, faults policy: FaultPolicy = .none) throws {
        self.service = service
        let google = service == .google ? GoogleFake() : nil
        let cronofy = service == .cronofy ? CronofyFake() : nil
        let people = google.map { PeopleFake(auth: $0.auth) }
        self.google = google
        self.cronofy = cronofy
        self.people = people
        let log = self.log
        let faults = self.faults
        google?.partFaults = partFaults
        cronofy?.partFaults = partFaults
        let partFaults = self.partFaults
        let admin = FakeAdmin(google: google, cronofy: cronofy, people: people, log: log) { policy, scope in
            if scope != "parts" { faults.set(policy) }
            if scope != "requests" { partFaults.set(FakeServer.partPolicy(policy)) }
        }
        http = LoopbackHTTPServer { request in
            FakeServer.serve(
                request, service: service, google: google, cronofy: cronofy, people: people, faults: faults,
                log: log, admin: admin)
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

    /// The next request whose path starts with `pathPrefix` gets the fault `kind`, once (a
    /// `reset` after a batch of creates: the writes happen and the answer is lost).
    public func injectOnce(_ kind: FaultKind, pathPrefix: String) { faults.once(kind, pathPrefix: pathPrefix) }

    /// Changes fault injection from now on (the seed restarts).
    public func setFaults(_ policy: FaultPolicy) {
        faults.set(policy)
        partFaults.set(FakeServer.partPolicy(policy))
    }

    /// The policy for inner calls of batches: HTTP-status faults only, drawn with another seed.
    static func partPolicy(_ policy: FaultPolicy) -> FaultPolicy {
        var inner = policy
        inner.seed = policy.seed &+ 1
        inner.kinds = policy.kinds.filter { Int($0.rawValue) != nil }
        return inner
    }

    public func stop() { http.stop() }

    static func serve(
        _ r: FakeRequest, service: FakeService, google: GoogleFake?, cronofy: CronofyFake?, people: PeopleFake?,
        faults: FaultInjector, log: RequestLog, admin: FakeAdmin
    ) -> ServerAction {
        if r.path.hasPrefix("/_fake/") {
            let response = admin.handle(r)
            if r.path != "/_fake/log" {
                log.append(
                    LoggedRequest(
                        r, time: Date(), status: response.status, fault: nil, retryAfter: nil,
                        batchParts: 0, parts: [], keepQuery: true))
            }
            return .respond(response)
        }
        let isToken = r.path == "/token" || r.path == "/oauth/token"
        let arrival = Date()
        let fault = isToken ? nil : faults.draw(path: r.path)
        var parts = 0
        if r.path.hasPrefix("/batch") || r.path == "/v1/batch" {
            if service == .cronofy {
                parts = (r.jsonObject?["batch"] as? [Any])?.count ?? 0
            } else if let b = r.headers["content-type"].flatMap(MultipartMixed.boundary(of:)) {
                parts = MultipartMixed.countParts(r.body, boundary: b)
            }
        }
        let contacts = people != nil && PeopleFake.serves(r.path)
        func process() -> FakeResponse {
            if contacts, let people { return people.handle(r) }
            return google?.handle(r) ?? cronofy!.handle(r)
        }
        var response: FakeResponse
        var action: ServerAction?
        var retryAfter: Int?
        // Cronofy and the People API signal rate limits with 429 only.
        let kind = (fault == .rateLimited && (service == .cronofy || contacts)) ? .tooManyRequests : fault
        switch kind {
        case let status? where contacts && Int(status.rawValue) != nil:
            response = PeopleFake.fault(status)
            if status == .tooManyRequests {
                retryAfter = faults.current.retryAfter
                response.headers.append(("Retry-After", "\(retryAfter!)"))
            }
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
        // A quota the fake keeps (the People API's per-minute one) announces its wait too.
        retryAfter = retryAfter ?? response.headers.first { $0.0 == "Retry-After" }.flatMap { Int($0.1) }
        var entry = LoggedRequest(
            r, time: arrival, status: action == nil ? response.status : 0, fault: fault,
            retryAfter: retryAfter, batchParts: parts, parts: response.parts, keepQuery: !isToken)
        if !isToken && log.keepsBodies && !r.body.isEmpty { entry.body = String(decoding: r.body, as: UTF8.self) }
        log.append(entry)
        return action ?? .respond(response)
    }
}
