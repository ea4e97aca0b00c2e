import AlmanacCore
import AlmanacHTTP
import Foundation

extension CronofyConnector {
    /// Applies changes through `POST /v1/batch`, at most `batchSize` (≤ 50) entries per batch.
    /// Creates and updates are upserts by `event_id` (Cronofy has no conditional writes:
    /// `ifVersion` is not checked); deletes send `{event_id}`. Per entry: 2xx → written (no
    /// version: Cronofy returns none); 422 → failed, not retryable, naming the field; 404 on a
    /// delete → gone; 429 and 5xx → retried with backoff, then failed (retryable).
    public func write(_ changes: [Change]) throws -> [WriteOutcome] {
        try checkCalendar()
        var outcomes = [WriteOutcome?](repeating: nil, count: changes.count)
        var entries: [Int: [String: Any]] = [:]
        let path = "/v1/calendars/\(settings.calendarID)/events"
        for (i, change) in changes.enumerated() {
            switch change {
            case .create(let id, let event):
                entries[i] = [
                    "method": "POST", "relative_url": path,
                    "data": CronofyMapping.upsert(event, eventID: id, tzid: settings.tzid),
                ]
            case .update(let key, _, let event):
                var data = CronofyMapping.upsert(event, eventID: key, tzid: settings.tzid)
                if CronofyConnector.isExternal(key) {
                    // An event made in the calendar itself: updated by `event_uid`.
                    data["event_id"] = nil
                    data["event_uid"] = key
                }
                entries[i] = ["method": "POST", "relative_url": path, "data": data]
            case .delete(let key, _):
                entries[i] = [
                    "method": "DELETE", "relative_url": path,
                    "data": [CronofyConnector.isExternal(key) ? "event_uid" : "event_id": key],
                ]
            case .confirm, .cancel:
                outcomes[i] = .failed(
                    retryable: false,
                    reason: "the cronofy connector does not take write-backs; they go to the database side")
            }
        }
        var pending = entries.keys.sorted()
        var attempt = 0
        while !pending.isEmpty {
            attempt += 1
            let chunks = stride(from: 0, to: pending.count, by: settings.batchSize).map {
                Array(pending[$0..<min(pending.count, $0 + settings.batchSize)])
            }
            let requests = try chunks.map {
                try HTTPRequest.json("POST", settings.baseURL + "/v1/batch", ["batch": $0.map { entries[$0]! }])
            }
            var again: [Int] = []
            for (chunk, answer) in zip(chunks, try api.sendAll(requests)) {
                guard case .success(let r) = answer, r.isSuccess,
                    let results = r.jsonObject?["batch"] as? [[String: Any]]
                else {
                    let reason: String
                    switch answer {
                    case .failure(let e): reason = e.message
                    case .success(let r): reason = "batch answered \(r.status): \(CronofyConnector.errorText(r))"
                    }
                    for i in chunk { outcomes[i] = .failed(retryable: true, reason: reason) }
                    continue
                }
                for (n, i) in chunk.enumerated() {
                    guard n < results.count else {
                        again.append(i)
                        continue
                    }
                    let status = results[n]["status"] as? Int ?? 0
                    let data = results[n]["data"] as? [String: Any]
                    switch status {
                    case 200..<300:
                        outcomes[i] = .written(key: key(changes[i]), version: nil)
                    case 404 where !isCreate(changes[i]):
                        outcomes[i] = .gone
                    case 422:
                        outcomes[i] = .failed(
                            retryable: false,
                            reason: "Cronofy rejected the event: \(CronofyConnector.errorText(data))")
                    case 401, 429, 500..<600:
                        if status == 401 { api.tokens.invalidate() }
                        outcomes[i] = .failed(retryable: true, reason: "Cronofy answered \(status)")
                        again.append(i)
                    default:
                        outcomes[i] = .failed(
                            retryable: false,
                            reason: "Cronofy answered \(status): \(CronofyConnector.errorText(data))")
                    }
                }
            }
            if again.isEmpty || attempt >= settings.retry.maxAttempts { break }
            http.sleep(settings.retry.delay(afterAttempt: attempt, retryAfter: nil))
            pending = again
        }
        return outcomes.map { $0 ?? .failed(retryable: true, reason: "no answer from Cronofy for this entry") }
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
