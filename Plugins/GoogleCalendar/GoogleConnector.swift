import AlmanacCore
import AlmanacHTTP
import Foundation
import Logging

/// What a google connector instance needs, resolved from the profile.
public struct GoogleSettings: Sendable {
    public var calendarID: String
    public var baseURL: String
    public var client: OAuthClient
    public var refreshToken: String?
    public var batchSize: Int
    public var requestBudget: Int?
    public var transport: TransportOptions
    public var retry: RetryPolicy

    public init(
        calendarID: String, baseURL: String, client: OAuthClient, refreshToken: String?, batchSize: Int = 50,
        requestBudget: Int? = nil, transport: TransportOptions = TransportOptions(),
        retry: RetryPolicy = .standard
    ) {
        self.calendarID = calendarID
        self.baseURL = baseURL
        self.client = client
        self.refreshToken = refreshToken
        self.batchSize = batchSize
        self.requestBudget = requestBudget
        self.transport = transport
        self.retry = retry
    }
}

/// The Google Calendar v3 connector: full listings of a window then `syncToken` deltas (410 →
/// full listing), writes through the batch endpoint with `If-Match`, deterministic ids and an
/// origin stamp. See README.md beside this file.
public final class GoogleConnector: Connector {
    public let capabilities: ConnectorCapabilities = [.read, .write, .delete, .changeFeed, .lookup]
    /// Everything round-trips: participants' phones and custom fields ride in private extended properties.
    public let fields: Set<EventField> = Set(EventField.allCases)
    let settings: GoogleSettings
    let api: AuthorizedClient
    let zone: TimeZone
    let logger: Logger
    let connection: String
    /// The job's `recurrence`: series listed as their instances, or whole with their exceptions.
    let recurrence: RecurrenceMode
    /// `/calendar/v3/calendars/ID/events` (escaped once: CharacterSet building showed in profiles).
    let eventsPath: String
    /// Rate-limit reasons Google sends with 403 that mean "retry later".
    static let rateLimitReasons: Set<String> = ["rateLimitExceeded", "userRateLimitExceeded"]

    public init(
        settings: GoogleSettings, stateDirectory: URL, profile: String? = nil, connection: String, timeZone: TimeZone,
        logger: Logger, recurrence: RecurrenceMode = .instances
    ) {
        self.settings = settings
        self.recurrence = recurrence
        self.zone = timeZone
        self.logger = logger
        self.connection = connection
        eventsPath = "/calendar/v3/calendars/\(GoogleConnector.escape(settings.calendarID))/events"
        api = AuthorizedClient(
            kind: "google", connection: connection, profile: profile, stateDirectory: stateDirectory,
            client: settings.client, refreshToken: settings.refreshToken, transport: settings.transport,
            retry: settings.retry, requestBudget: settings.requestBudget, logger: logger,
            isRetryableResponse: { GoogleConnector.isRateLimited($0) })
    }

    /// The HTTP client (counters for tests and benchmarks).
    public var http: HTTPClient { api.http }

    static func isRateLimited(_ r: HTTPResponse) -> Bool {
        r.status == 403 && rateLimitReasons.contains(reason(r) ?? "")
    }

    /// `error.errors[0].reason` of a Google error body.
    static func reason(_ r: HTTPResponse) -> String? {
        guard let e = r.jsonObject?["error"] as? [String: Any] else { return nil }
        return ((e["errors"] as? [[String: Any]])?.first?["reason"] as? String) ?? (e["status"] as? String)
    }

    static func message(_ r: HTTPResponse) -> String {
        ((r.jsonObject?["error"] as? [String: Any])?["message"] as? String) ?? "HTTP \(r.status)"
    }

    /// Characters left as they are in a path segment and in a query value.
    static let pathAllowed: CharacterSet = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~@"))
    static let queryAllowed: CharacterSet = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? s
    }

    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? "")" }
            .joined(separator: "&")
    }

    /// An error for an unexpected answer, naming the connection and calendar.
    func failure(_ r: HTTPResponse, doing what: String) -> AlmanacError {
        if r.status == 401 || r.status == 403 {
            return AlmanacError(
                .googleForbidden,
                "connection \"\(connection)\": Google refused \(what) on calendar \"\(settings.calendarID)\" (\(r.status): \(GoogleConnector.message(r))); check that the authorized account can edit this calendar"
            )
        }
        if r.status == 404 {
            return AlmanacError(
                .googleCalendarNotFound,
                "connection \"\(connection)\": calendar \"\(settings.calendarID)\" was not found; check calendar_id")
        }
        return AlmanacError(
            .googleRequestFailed,
            "connection \"\(connection)\": \(what) failed with \(r.status): \(GoogleConnector.message(r))",
            retryable: AlmanacHTTPError.isTransient(status: r.status))
    }

    public func testConnection() -> ConnectionReport {
        let authorize = api.authorizationStep()
        guard authorize.ok else { return ConnectionReport(steps: [authorize]) }
        var steps = [authorize]
        do {
            let r = try api.send(HTTPRequest(url: settings.baseURL + eventsPath + "?maxResults=1"))
            if r.isSuccess {
                steps.append(
                    .init(name: "calendar", ok: true, detail: "calendar \"\(settings.calendarID)\" is readable"))
            } else {
                steps.append(.init(name: "calendar", ok: false, detail: failure(r, doing: "listing events").message))
            }
        } catch {
            steps.append(.init(name: "calendar", ok: false, detail: "\(error)"))
        }
        return ConnectionReport(steps: steps)
    }
}
