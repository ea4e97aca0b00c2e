import AlmanacCore
import AlmanacHTTP
import Foundation

extension CronofyConnector {
    /// How far from today a lookup reads: Cronofy reads events by date range only, so a lookup
    /// lists the calendar over this span either side and keeps the keys asked for.
    static let lookupSpanDays = 5 * 366

    /// Cronofy has no read by `event_id`: one listing of the calendar over `lookupSpanDays` either
    /// side of today (`include_managed=true`, every page), restricted to `keys`. A deleted or
    /// unlisted key is confirmed absent; a failed page, or a key found but unreadable, fails the
    /// lookup. With `recurrence = "series"` a series written whole is found through the
    /// connector's book of series (`seriesItem`); occurrences of a series the book does not hold
    /// fail the lookup (`cronofy.series_state`) rather than let the series pass for deleted.
    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        try checkCalendar()
        var wanted = Set(keys)
        var found: [SourceItem] = []
        if recurrence == .series {
            var book = try seriesStore.load()
            let series = keys.filter { book.series[$0] != nil }
            if !series.isEmpty {
                _ = try refreshSeries(&book)
                found += series.compactMap { seriesItem($0, book: book) }
                wanted.subtract(series)
            }
            if wanted.isEmpty { return found }
        }
        let now = Date()
        let span = TimeInterval(Self.lookupSpanDays * 86_400)
        try eachEvent(from: now - span, to: now + span, doing: "looking up events") { e in
            if isSeriesOccurrence(e), e["deleted"] as? Bool != true, let id = e["event_id"] as? String,
                let series = CronofySeriesBook.seriesKey(ofInstance: id), wanted.contains(series)
            {
                throw AlmanacError(
                    .cronofySeriesState,
                    "connection \"\(connection)\": the calendar holds occurrences of series \(series) that \(seriesStore.url.path) does not know; nothing was deleted. Restore that file, or delete the series' events (event_id \(series)_…) from the calendar"
                )
            }
            guard let key = CronofyMapping.key(e), wanted.contains(key), e["deleted"] as? Bool != true else { return }
            guard let event = CronofyMapping.event(e).0 else {
                throw AlmanacError(
                    .cronofyUnreadableEvent,
                    "connection \"\(connection)\": event \(key) was found but cannot be read; nothing was deleted")
            }
            let updated = e["updated"] as? String ?? ""
            found.append(SourceItem(key: key, version: updated.isEmpty ? nil : updated, event: event))
        }
        return found
    }

    /// Every event of the calendar over the dates of `[from, to)` in `tzid` (`include_managed=true`,
    /// every page), handed to `each` in the order listed. Throws the failure of a page (`doing`
    /// says what the listing is for), `sync.paging_runaway` past `pageLimit` pages, and what
    /// `each` throws.
    func eachEvent(from: Date, to: Date, doing: String, _ each: ([String: Any]) throws -> Void) throws {
        let q: [(String, String)] = [
            ("tzid", settings.tzid), ("calendar_ids[]", settings.calendarID), ("include_managed", "true"),
            ("from", day(from, roundUp: false)), ("to", day(to, roundUp: true)),
        ]
        var url: String? = settings.baseURL + "/v1/events?" + CronofyConnector.query(q)
        var pages = 0
        while let next = url {
            guard pages < pageLimit else {
                throw AlmanacError(
                    .syncPagingRunaway,
                    "connection \"\(connection)\": Cronofy returned more than \(pageLimit) pages \(doing); nothing was deleted"
                )
            }
            pages += 1
            let r = try api.send(HTTPRequest(url: next))
            guard r.isSuccess, let body = r.jsonObject else { throw failure(r, doing: doing) }
            for e in body["events"] as? [[String: Any]] ?? [] { try each(e) }
            url = (body["pages"] as? [String: Any])?["next_page"] as? String
        }
    }
}
