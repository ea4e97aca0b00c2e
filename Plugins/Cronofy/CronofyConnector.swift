import AlmanacCore
import AlmanacHTTP
import Foundation
import Logging

/// What a cronofy connector instance needs, resolved from the profile.
public struct CronofySettings: Sendable {
    public var calendarID: String
    public var baseURL: String
    public var client: OAuthClient
    public var refreshToken: String?
    /// The zone Cronofy reads and writes times in.
    public var tzid: String
    public var batchSize: Int
    public var requestBudget: Int?
    public var transport: TransportOptions
    public var retry: RetryPolicy

    public init(
        calendarID: String, baseURL: String, client: OAuthClient, refreshToken: String?, tzid: String,
        batchSize: Int = 50, requestBudget: Int? = nil, transport: TransportOptions = TransportOptions(),
        retry: RetryPolicy = .standard
    ) {
        self.calendarID = calendarID
        self.baseURL = baseURL
        self.client = client
        self.refreshToken = refreshToken
        self.tzid = tzid
        self.batchSize = batchSize
        self.requestBudget = requestBudget
        self.transport = transport
        self.retry = retry
    }
}

/// The Cronofy connector: reads with `tzid`, `last_modified` deltas, `include_managed`, paging by
/// `pages.next_page`; writes by `event_id` upsert/delete through the batch endpoint. See README.md.
public final class CronofyConnector: Connector {
    public let capabilities: ConnectorCapabilities = [.read, .write, .delete, .changeFeed, .lookup]
    /// Cronofy keeps no phones and no custom fields, and its event status is not written. With
    /// `recurrence = "series"` it keeps series too, as their occurrences (`CronofyConnector+Series`).
    public let fields: Set<EventField>
    let settings: CronofySettings
    let api: AuthorizedClient
    let logger: Logger
    let connection: String
    var calendarChecked = false
    /// The job's `recurrence`.
    let recurrence: RecurrenceMode
    /// The series written as single events (`recurrence = "series"`).
    let seriesStore: CronofySeriesStore
    /// The windows read in this run, joined: where a series is written.
    var seriesWindow: TimeWindow?
    /// Series whose occurrences changed on the calendar, found by `refreshSeries` (once a run).
    var seriesChanged: Set<String>?
    /// The most pages one listing of `eachEvent` reads: a `next_page` that does not end fails the
    /// listing (`sync.paging_runaway`) rather than have it come back short.
    var pageLimit = 100_000
    /// Overlap of successive `last_modified` reads, against clock skew.
    static let cursorOverlap: TimeInterval = 5

    public init(
        settings: CronofySettings, stateDirectory: URL, profile: String? = nil, connection: String, logger: Logger,
        job: String? = nil, recurrence: RecurrenceMode = .instances
    ) {
        self.settings = settings
        self.recurrence = recurrence
        var fields: Set<EventField> = [.title, .description, .location, .start, .end, .responses]
        if recurrence == .series { fields.insert(.recurrence) }
        self.fields = fields
        seriesStore = CronofySeriesStore(
            stateDirectory: stateDirectory, profile: profile, connection: connection, job: job)
        self.logger = logger
        self.connection = connection
        api = AuthorizedClient(
            kind: "cronofy", connection: connection, profile: profile, stateDirectory: stateDirectory,
            client: settings.client, refreshToken: settings.refreshToken, transport: settings.transport,
            retry: settings.retry, requestBudget: settings.requestBudget, logger: logger)
    }

    public var http: HTTPClient { api.http }

    /// Lists the account's calendars; throws `cronofy.calendar_not_found` (naming the ids that
    /// exist) or `cronofy.calendar_readonly` when `calendar_id` cannot be used.
    public func checkCalendar() throws {
        if calendarChecked { return }
        let r = try api.send(HTTPRequest(url: settings.baseURL + "/v1/calendars"))
        guard r.isSuccess else { throw failure(r, doing: "listing calendars") }
        let cals = r.jsonObject?["calendars"] as? [[String: Any]] ?? []
        guard let cal = cals.first(where: { $0["calendar_id"] as? String == settings.calendarID }) else {
            let ids = cals.compactMap { c -> String? in
                guard let id = c["calendar_id"] as? String else { return nil }
                return "\(id) (\(c["calendar_name"] as? String ?? ""))"
            }
            throw AlmanacError(
                .cronofyCalendarNotFound,
                "connection \"\(connection)\": calendar_id \"\(settings.calendarID)\" is not in the account; calendars found: \(ids.joined(separator: ", "))"
            )
        }
        if cal["calendar_readonly"] as? Bool == true {
            throw AlmanacError(
                .cronofyCalendarReadonly,
                "connection \"\(connection)\": calendar \"\(settings.calendarID)\" is read-only; choose a writable calendar"
            )
        }
        calendarChecked = true
    }

    func failure(_ r: HTTPResponse, doing what: String) -> AlmanacError {
        if r.status == 401 || r.status == 403 {
            return AlmanacError(
                .cronofyForbidden,
                "connection \"\(connection)\": Cronofy refused \(what) (\(r.status)); authorize again with `almanac auth cronofy`"
            )
        }
        return AlmanacError(
            .cronofyRequestFailed,
            "connection \"\(connection)\": \(what) failed with \(r.status): \(CronofyConnector.errorText(r))",
            retryable: AlmanacHTTPError.isTransient(status: r.status))
    }

    /// `field: description; …` from a 422 body `{"errors":{field:[{key,description}]}}`.
    static func errorText(_ r: HTTPResponse) -> String {
        errorText(r.jsonObject)
    }

    static func errorText(_ body: [String: Any]?) -> String {
        guard let errors = body?["errors"] as? [String: Any] else {
            return (body?["error"] as? String) ?? "no detail"
        }
        return errors.keys.sorted().map { field in
            let list = errors[field] as? [[String: Any]] ?? []
            let d = list.map { ($0["description"] as? String) ?? ($0["key"] as? String) ?? "invalid" }
            return "\(field): \(d.joined(separator: ", "))"
        }.joined(separator: "; ")
    }

    public func testConnection() -> ConnectionReport {
        let authorize = api.authorizationStep()
        guard authorize.ok else { return ConnectionReport(steps: [authorize]) }
        var steps = [authorize]
        do {
            try checkCalendar()
            steps.append(
                .init(name: "calendar", ok: true, detail: "calendar \"\(settings.calendarID)\" found and writable"))
        } catch let e as AlmanacError {
            steps.append(.init(name: "calendar", ok: false, detail: e.message))
        } catch {
            steps.append(.init(name: "calendar", ok: false, detail: "\(error)"))
        }
        return ConnectionReport(steps: steps)
    }
}
