import AlmanacCore
import AlmanacHTTP
import Foundation

extension CronofyConnector {
    /// Applies changes through `POST /v1/batch`, at most `batchSize` (≤ 50) entries per batch.
    /// Creates and updates are upserts by `event_id` (Cronofy has no conditional writes:
    /// `ifVersion` is not checked); deletes send `{event_id}`. Per entry: 2xx → written (no
    /// version: Cronofy returns none); 422 → failed, not retryable, naming the field; 404 on a
    /// delete → gone; 429 and 5xx → retried by the HTTP client (its one policy, `HTTPClient`),
    /// then failed (retryable). With `recurrence = "series"` a series is written as its
    /// occurrences (`seriesCalls`), and is written when every one of them was.
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        try checkCalendar()
        var outcomes = [WriteOutcome?](repeating: nil, count: changes.count)
        var calls: [CronofyCall] = []
        var book = recurrence == .series ? try seriesStore.load() : nil
        var seriesChanges: [Int: String] = [:]
        let path = eventsPath
        for (i, change) in changes.enumerated() {
            if var b = book {
                do {
                    if let planned = try seriesCalls(change, index: i, book: &b) {
                        seriesChanges[i] = key(change)
                        calls += planned
                        book = b
                        continue
                    }
                } catch {
                    outcomes[i] = .failed(retryable: false, reason: "the series cannot be expanded: \(error)")
                    continue
                }
            }
            switch change {
            case .create(let id, let event):
                calls.append(
                    CronofyCall(
                        change: i,
                        entry: [
                            "method": "POST", "relative_url": path,
                            "data": CronofyMapping.upsert(event, eventID: id, tzid: settings.tzid),
                        ]))
            case .update(let key, _, let event):
                var data = CronofyMapping.upsert(event, eventID: key, tzid: settings.tzid)
                if CronofyConnector.isExternal(key) {
                    // An event made in the calendar itself: updated by `event_uid`.
                    data["event_id"] = nil
                    data["event_uid"] = key
                }
                calls.append(CronofyCall(change: i, entry: ["method": "POST", "relative_url": path, "data": data]))
            case .delete(let key, _):
                calls.append(
                    CronofyCall(
                        change: i,
                        entry: [
                            "method": "DELETE", "relative_url": path,
                            "data": [CronofyConnector.isExternal(key) ? "event_uid" : "event_id": key],
                        ]))
            case .confirm, .cancel:
                outcomes[i] = .failed(
                    retryable: false,
                    reason: "the cronofy connector does not take write-backs; they go to the database side")
            }
        }
        // The occurrences about to be written are recorded first, as not confirmed: a run cut
        // short sends them again, under the same event_ids.
        if let book, !seriesChanges.isEmpty { try seriesStore.save(book) }
        let batchURL = settings.baseURL + "/v1/batch"
        let format = BatchFormat<[String: Any]>(
            maxCalls: settings.batchSize, request: { try HTTPRequest.json("POST", batchURL, ["batch": $0]) },
            answers: CronofyConnector.entryAnswers)
        var answers = [WriteOutcome?](repeating: nil, count: calls.count)
        for (n, answer) in try api.sendBatched(calls.map(\.entry), as: format).enumerated() {
            var change = changes[calls[n].change]
            if calls[n].series != nil, calls[n].entry["method"] as? String == "DELETE" {
                change = .delete(key: calls[n].instance ?? "", ifVersion: nil)  // 404: gone already
            }
            switch answer {
            case .answered(let r):
                answers[n] = outcome(status: r.status, data: r.jsonObject, change: change)
            case .requestAnswered(let r):
                answers[n] = .failed(
                    retryable: true, reason: "batch answered \(r.status): \(CronofyConnector.errorText(r))")
            case .requestFailed(let e):
                answers[n] = .failed(retryable: true, reason: e.message)
            case .unanswered:
                break
            }
        }
        for (call, answer) in zip(calls, answers) where call.series == nil { outcomes[call.change] = answer }
        if var b = book, !seriesChanges.isEmpty {
            for (i, o) in settle(calls, answers, series: seriesChanges, changes: changes, book: &b) { outcomes[i] = o }
            try seriesStore.save(b)
        }
        return outcomes.map { $0 ?? .failed(retryable: true, reason: "no answer from Cronofy for this entry") }
    }

    /// The outcome of one batch entry answered `status` with `data`.
    func outcome(status: Int, data: [String: Any]?, change: Change) -> WriteOutcome {
        switch status {
        case 200..<300:
            return .written(key: key(change), version: nil)
        case 404 where !isCreate(change):
            return .gone
        case 422:
            return .failed(
                retryable: false, reason: "Cronofy rejected the event: \(CronofyConnector.errorText(data))")
        case 401, 429, 500..<600:
            return .failed(retryable: true, reason: "Cronofy answered \(status)")
        default:
            return .failed(retryable: false, reason: "Cronofy answered \(status): \(CronofyConnector.errorText(data))")
        }
    }

    /// Each entry's answer in a `/v1/batch` answer (`{"batch":[{"status":…,"data":{…}}]}`), as
    /// an HTTP answer of its own; nil for an entry the answer does not cover.
    @Sendable static func entryAnswers(_ r: HTTPResponse, count: Int) -> [HTTPResponse?] {
        let results = r.jsonObject?["batch"] as? [[String: Any]] ?? []
        return (0..<count).map { n in
            guard n < results.count else { return nil }
            let data = results[n]["data"] as? [String: Any]
            let body = data.flatMap { try? JSONSerialization.data(withJSONObject: $0) } ?? Data()
            return HTTPResponse(status: results[n]["status"] as? Int ?? 0, body: body)
        }
    }

    func key(_ c: Change) -> String {
        switch c {
        case .create(let id, _): return id
        case .update(let key, _, _), .delete(let key, _), .confirm(let key, _), .cancel(let key, _): return key
        }
    }

    func isCreate(_ c: Change) -> Bool {
        if case .create = c { return true }
        return false
    }

    /// Keys of events not created through the API are Cronofy `event_uid`s (`evt_external_…`).
    static func isExternal(_ key: String) -> Bool { key.hasPrefix("evt_external_") }
}
