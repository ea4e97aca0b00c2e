import AlmanacCore
import AlmanacHTTP
import Foundation

/// One entry of a `/v1/batch` request and what it is for.
struct CronofyCall {
    /// The index of the change it belongs to.
    var change: Int
    /// The occurrence's `event_id`, for the calls of a series.
    var instance: String?
    /// The series key, for the calls of a series.
    var series: String?
    /// The hash of the upsert body of an occurrence (`CronofySeriesBook.Instance.body`).
    var hash: String?
    var entry: [String: Any]
}

/// `recurrence = "series"`: Cronofy's API has no recurring events (an event is one occurrence),
/// so a series is written as one event per occurrence inside the job's window, `event_id`
/// `<series key>_<original start>` (`CronofySeriesBook`), and read back as one item, the series
/// as last written with the occurrences deleted or moved on the calendar as its exceptions.
extension CronofyConnector {
    /// The batch calls of `change` when it concerns a series (a create or update of an event
    /// with `series`, an update or delete of a key the book holds as a series), recorded in
    /// `book` as not yet confirmed; nil for any other change. Throws `RecurrenceError` for a
    /// series that cannot be expanded.
    func seriesCalls(_ change: Change, index: Int, book: inout CronofySeriesBook) throws -> [CronofyCall]? {
        switch change {
        case .create(let id, let event) where event.series != nil:
            return try expand(id, event, index: index, book: &book, replacingSingle: false)
        case .update(let key, _, let event) where !CronofyConnector.isExternal(key):
            if event.series != nil {
                return try expand(key, event, index: index, book: &book, replacingSingle: book.series[key] == nil)
            }
            guard book.series[key] != nil else { return nil }
            // No longer a series: its occurrences go, the single event comes.
            var calls = removal(key, index: index, book: &book)
            calls.append(
                CronofyCall(
                    change: index, series: key,
                    entry: [
                        "method": "POST", "relative_url": eventsPath,
                        "data": CronofyMapping.upsert(event, eventID: key, tzid: settings.tzid),
                    ]))
            return calls
        case .delete(let key, _):
            guard book.series[key] != nil else { return nil }
            return removal(key, index: index, book: &book)
        default:
            return nil
        }
    }

    var eventsPath: String { "/v1/calendars/\(settings.calendarID)/events" }

    /// Upserts of the occurrences of `event`'s series inside the window that Cronofy does not
    /// hold as they should be, deletions of the occurrences it no longer has (inside the window,
    /// or anywhere when they are no occurrence of the series any more), and with
    /// `replacingSingle` the deletion of the single event `key` it was before.
    private func expand(
        _ key: String, _ event: Event, index: Int, book: inout CronofySeriesBook, replacingSingle: Bool
    ) throws -> [CronofyCall] {
        guard let series = event.series else { return [] }
        let set = try series.set(start: event.start, end: event.end)
        let window = seriesWindow ?? fallbackWindow(event)
        var entry = book.series[key] ?? CronofySeriesBook.Entry()
        var expected: Set<String> = []
        var calls: [CronofyCall] = []
        for instance in set.instances(from: window.start, to: window.end, localZone: zone) {
            let id = CronofySeriesBook.instanceID(series: key, originalStart: instance.originalStart)
            expected.insert(id)
            var single = event
            single.series = nil
            single.recurrence = nil
            single.start = instance.start
            single.end = instance.end
            let body = CronofyMapping.upsert(single, eventID: id, tzid: settings.tzid)
            let hash = Self.hash(body)
            if let have = entry.instances[id], have.body == hash, have.state == .live { continue }
            entry.instances[id] = CronofySeriesBook.Instance(
                originalStart: instance.originalStart, start: instance.start, end: instance.end, body: nil,
                state: .live)
            calls.append(
                CronofyCall(
                    change: index, instance: id, series: key, hash: hash,
                    entry: ["method": "POST", "relative_url": eventsPath, "data": body]))
        }
        for (id, instance) in entry.instances.sorted(by: { $0.key < $1.key }) where !expected.contains(id) {
            let inWindow = window.contains(instance.originalStart.date(in: zone))
            guard inWindow || instance.state == .removing || !set.contains(instance.originalStart, localZone: zone)
            else { continue }
            entry.instances[id]?.state = .removing
            calls.append(deletion(id, index: index, series: key))
        }
        if replacingSingle { calls.append(deletion(key, index: index, series: key, tracked: false)) }
        book.series[key] = entry
        return calls
    }

    /// Deletions of every occurrence of series `key`.
    private func removal(_ key: String, index: Int, book: inout CronofySeriesBook) -> [CronofyCall] {
        guard var entry = book.series[key] else { return [] }
        var calls: [CronofyCall] = []
        for id in entry.instances.keys.sorted() {
            entry.instances[id]?.state = .removing
            calls.append(deletion(id, index: index, series: key))
        }
        book.series[key] = entry
        return calls
    }

    /// The deletion of `event_id` `id`; `tracked`: an occurrence the book holds.
    private func deletion(_ id: String, index: Int, series: String, tracked: Bool = true) -> CronofyCall {
        CronofyCall(
            change: index, instance: tracked ? id : nil, series: series,
            entry: ["method": "DELETE", "relative_url": eventsPath, "data": ["event_id": id]])
    }

    /// Where a series written before any read of this run is expanded: from its first
    /// occurrence to a year from now.
    private func fallbackWindow(_ event: Event) -> TimeWindow {
        let start = min(event.start.date(in: zone), Date())
        return TimeWindow(start: start, end: Date().addingTimeInterval(366 * 86_400))
    }

    static func hash(_ body: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return String(SHA256.hex(data).prefix(16))
    }

    /// Records in `book` what Cronofy answered to the series calls (`ok`: accepted; a deletion
    /// answered 404 is done too), and the outcome of each series change: written when every
    /// call of it was accepted (the series' `event` is then stored, or the series dropped when
    /// it was deleted or became a single event), else the first failure.
    /// `series` maps the index of each series change to its key (a change may need no call).
    func settle(
        _ calls: [CronofyCall], _ answers: [WriteOutcome?], series touched: [Int: String], changes: [Change],
        book: inout CronofySeriesBook
    ) -> [Int: WriteOutcome] {
        var failed: [Int: WriteOutcome] = [:]
        for (call, answer) in zip(calls, answers) {
            guard let series = call.series else { continue }
            let ok: Bool
            switch answer {
            case .written?, .gone?: ok = true
            default: ok = false
            }
            if !ok {
                if failed[call.change] == nil {
                    failed[call.change] = answer ?? .failed(retryable: true, reason: "no answer from Cronofy")
                }
                continue
            }
            guard let id = call.instance else { continue }
            if call.hash != nil {
                book.series[series]?.instances[id]?.body = call.hash
            } else {
                book.series[series]?.instances[id] = nil
            }
        }
        var out = failed
        for (index, series) in touched where failed[index] == nil {
            switch changes[index] {
            case .create(_, let event), .update(_, _, let event):
                if event.series != nil {
                    book.series[series]?.event = event
                } else {
                    book.series[series] = nil
                }
            default:
                book.series[series] = nil
            }
            out[index] = .written(key: series, version: nil)
        }
        return out
    }
}
