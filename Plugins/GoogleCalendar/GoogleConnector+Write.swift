import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleConnector {
    /// Applies changes through the batch endpoint, at most `batchSize` (≤ 50) calls per batch,
    /// several batches in flight. Creates carry the deterministic id and the origin stamp;
    /// updates and deletes carry `If-Match` with the stored etag. Per call: 2xx → written;
    /// 409 on create and 412 → the current item is fetched → conflict; 404/410 → gone;
    /// 403 rate-limit reasons, 429 and 5xx → retried by the HTTP client (its one policy,
    /// `HTTPClient`), then failed (retryable); other 4xx → failed (not retryable) with Google's
    /// message.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome?](repeating: nil, count: changes.count)
        var order: [Int] = []
        for (i, change) in changes.enumerated() {
            if let refused = refusal(of: change) { outcomes[i] = refused } else { order.append(i) }
        }
        // A batch request's calls are made when it can be sent: encoding the next batch overlaps
        // Google's work on those in flight.
        let (batchURL, eventsPath, zone) = (settings.baseURL + "/batch/calendar/v3", eventsPath, zone)
        let format = BatchFormat<Change>(
            maxCalls: settings.batchSize,
            request: { changes in
                let calls = changes.map { GoogleConnector.call(for: $0, eventsPath: eventsPath, zone: zone) }
                return MultipartBatch.request(url: batchURL, calls: calls)
            },
            answers: { MultipartBatch.responses($0, count: $1) })
        var toFetch: [Int: String] = [:]
        for (i, answer) in zip(order, try api.sendBatched(order.map { changes[$0] }, as: format)) {
            switch answer {
            case .answered(let r):
                switch classify(r, change: changes[i], key: key(of: changes[i])) {
                case .done(let o): outcomes[i] = o
                case .transient(let reason): outcomes[i] = .failed(retryable: true, reason: reason)
                case .fetch(let key): toFetch[i] = key
                }
            case .requestAnswered(let r):
                outcomes[i] = .failed(
                    retryable: true, reason: "batch request answered \(r.status): \(GoogleConnector.message(r))")
            case .requestFailed(let e):
                outcomes[i] = .failed(retryable: true, reason: e.message)
            case .unanswered:
                break
            }
        }
        for (i, current) in zip(toFetch.keys.sorted(), try fetch(toFetch.keys.sorted().map { toFetch[$0]! })) {
            outcomes[i] = .conflict(current: current)
        }
        return outcomes.map { $0 ?? .failed(retryable: true, reason: "no answer from Google for this call") }
    }

    enum Classified {
        case done(WriteOutcome)
        /// Failed for a passing reason (after the HTTP client's retries).
        case transient(String)
        case fetch(String)
    }

    func key(of change: Change) -> String {
        switch change {
        case .create(let id, _): return id
        case .update(let key, _, _), .delete(let key, _), .confirm(let key, _), .cancel(let key, _): return key
        }
    }

    func classify(_ r: HTTPResponse, change: Change, key: String) -> Classified {
        let isCreate: Bool
        if case .create = change { isCreate = true } else { isCreate = false }
        switch r.status {
        case 200..<300:
            let etag = r.headers["etag"] ?? (r.jsonObject?["etag"] as? String)
            return .done(.written(key: key, version: etag))
        case 401:
            return .transient("the access token was refused")
        case 409 where isCreate, 412:
            return .fetch(key)
        case 404 where isCreate:
            return .done(.failed(retryable: false, reason: "calendar \"\(settings.calendarID)\" not found"))
        case 404, 410:
            return .done(.gone)
        case 429, 500, 502, 503, 504:
            return .transient("Google answered \(r.status): \(GoogleConnector.message(r))")
        case 403 where GoogleConnector.isRateLimited(r):
            return .transient("Google rate limit (\(GoogleConnector.reason(r) ?? "403"))")
        default:
            let field = GoogleConnector.reason(r).map { " [\($0)]" } ?? ""
            return .done(
                .failed(retryable: false, reason: "Google answered \(r.status)\(field): \(GoogleConnector.message(r))"))
        }
    }

    /// The outcome of a change that is not sent (an id Google refuses, a write-back), or nil.
    func refusal(of change: Change) -> WriteOutcome? {
        switch change {
        case .create(let id, _) where !GoogleConnector.validID(id):
            return .failed(
                retryable: false,
                reason: "event id \"\(id)\" is not valid for Google (base32hex a-v0-9, 5-1024 characters)")
        case .create, .update, .delete:
            return nil
        case .confirm, .cancel:
            return .failed(
                retryable: false,
                reason: "the google connector does not take write-backs; they go to the database side")
        }
    }

    /// The batch call for a change `refusal(of:)` lets through.
    static func call(for change: Change, eventsPath: String, zone: TimeZone) -> MultipartBatch.Call {
        func body(_ e: Event, id: String?, origin: String?) -> Data? {
            GoogleEventWriter.data(GoogleMapping.resource(e, id: id, origin: origin, zone: zone))
        }
        func ifMatch(_ v: String?) -> [String: String] { v.map { ["If-Match": $0] } ?? [:] }
        switch change {
        case .create(let id, let event):
            return .init(method: "POST", path: eventsPath, body: body(event, id: id, origin: event.origin ?? id))
        case .update(let key, let version, let event):
            return .init(
                method: "PUT", path: eventsPath + "/" + GoogleConnector.escape(key),
                headers: ifMatch(version), body: body(event, id: nil, origin: nil))
        case .delete(let key, let version):
            return .init(
                method: "DELETE", path: eventsPath + "/" + GoogleConnector.escape(key), headers: ifMatch(version))
        case .confirm, .cancel:
            preconditionFailure("write-backs are refused before a batch is made (refusal(of:))")
        }
    }

    static func validID(_ id: String) -> Bool {
        (5...1024).contains(id.count) && id.utf8.allSatisfy { (48...57).contains($0) || (97...118).contains($0) }
    }

    /// Reads the current items `keys` (after a 409 or 412); a deleted one comes back as a
    /// cancelled item, one that cannot be read as nil.
    func fetch(_ keys: [String]) throws -> [SourceItem?] {
        guard !keys.isEmpty else { return [] }
        let requests = keys.map { HTTPRequest(url: settings.baseURL + eventsPath + "/" + GoogleConnector.escape($0)) }
        return try api.sendAll(requests).enumerated().map { (n, result) -> SourceItem? in
            guard case .success(let r) = result, r.isSuccess,
                let g = try? JSONDecoder().decode(GoogleEventResource.self, from: r.body)
            else { return nil }
            if g.status == "cancelled" && g.start == nil {
                return SourceItem(
                    key: keys[n], version: g.etag,
                    event: Event(
                        start: .instant(Date(timeIntervalSince1970: 0), timeZone: nil),
                        status: .cancelled))
            }
            guard let event = GoogleMapping.event(g).0 else { return nil }
            return SourceItem(key: keys[n], version: g.etag, event: event)
        }
    }
}
