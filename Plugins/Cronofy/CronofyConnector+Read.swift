import AlmanacCore
import AlmanacHTTP
import Foundation

extension CronofyConnector {
    /// One page of `GET /v1/events` for the calendar, with `tzid` and `include_managed=true`
    /// (almanac's own events are managed). Without a cursor: the window in full (items whose
    /// start falls in it). With a cursor (a `last_modified` instant): the changes since, deleted
    /// events included and reported as `deleted`, over `lookupSpanDays` either side of the window
    /// (changes anywhere in time, as a Google sync token). Pages follow `pages.next_page`; the last page
    /// carries the new cursor (the read's start, less a small overlap).
    ///
    /// The cursor is `v1|<instant>|<marks>`: `last_modified` is read from the instant (the read's
    /// start less an overlap, against clock skew), and the marks (short hashes of key and
    /// content, `updated` aside: Cronofy stamps whole seconds) name what the previous read already
    /// saw inside the overlap, so a delta with no change is empty.
    ///
    /// With `recurrence = "series"` the occurrences of the series written here are not items:
    /// each series is one, on the listing's first page (`seriesItems`), which also names the
    /// series whose occurrences entered the window since they were written (`ReadPage.refresh`).
    public func read(_ request: ReadRequest) throws -> ReadPage {
        try checkCalendar()
        let previous = request.cursor.map(CronofyCursor.init(parsing:))
        let mode: String
        var cursor: CronofyCursor
        let url: String
        if let c = request.continuation {
            let parts = c.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else {
                throw AlmanacError(
                    .cronofyBadContinuation, "connection \"\(connection)\": unreadable page continuation")
            }
            mode = parts[0]
            cursor = CronofyCursor(parsing: "v1|\(parts[1])|\(parts[2])")
            url = parts[3]
        } else {
            let since = previous?.since ?? request.since
            mode = since == nil ? "full" : "delta"
            cursor = CronofyCursor(since: Date().addingTimeInterval(-CronofyConnector.cursorOverlap), marks: [])
            // A delta covers the lookup span, not only the window: an event moved out of the
            // window, or deleted outside it, is reported as a Google sync token reports it.
            let span = since == nil ? 0 : TimeInterval(Self.lookupSpanDays * 86_400)
            var q: [(String, String)] = [
                ("tzid", settings.tzid), ("calendar_ids[]", settings.calendarID),
                ("include_managed", "true"),
                ("from", day(request.window.start.addingTimeInterval(-span), roundUp: false)),
                ("to", day(request.window.end.addingTimeInterval(span), roundUp: true)),
            ]
            if let since {
                q += [("last_modified", CronofyMapping.utc(since)), ("include_deleted", "true")]
            }
            url = settings.baseURL + "/v1/events?" + CronofyConnector.query(q)
        }
        let r = try api.send(HTTPRequest(url: url))
        guard r.isSuccess, let body = r.jsonObject else { throw failure(r, doing: "reading events") }
        var items: [SourceItem] = []
        var deleted: [String] = []
        var problems: [ItemProblem] = []
        for e in body["events"] as? [[String: Any]] ?? [] {
            guard let key = CronofyMapping.key(e) else { continue }
            let updated = e["updated"] as? String ?? ""
            let mark = CronofyCursor.mark(key: key, event: e)
            if let u = CronofyMapping.parseInstant(updated), u >= cursor.since { cursor.marks.insert(mark) }
            if mode == "delta", previous?.marks.contains(mark) == true { continue }
            if isSeriesOccurrence(e) { continue }  // part of its series' item
            if e["deleted"] as? Bool == true {
                if mode == "delta" { deleted.append(key) }
                continue
            }
            let (event, problem) = CronofyMapping.event(e)
            if let problem { problems.append(problem) }
            guard let event else { continue }
            if mode == "full" && !request.window.contains(event.start.date(in: zone)) { continue }
            items.append(SourceItem(key: key, version: updated.isEmpty ? nil : updated, event: event))
        }
        var refresh: [String: String] = [:]
        if recurrence == .series && request.continuation == nil {
            let series = try seriesItems(for: request, full: mode == "full")
            items += series.items
            refresh = series.refresh
        }
        let next = (body["pages"] as? [String: Any])?["next_page"] as? String
        let encoded = cursor.encoded
        let fields = encoded.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        var page = ReadPage(
            items: items, deleted: deleted, problems: problems,
            coverage: mode == "full" ? .complete(request.window) : .delta,
            continuation: next.map { "\(mode)|\(fields[1])|\(fields[2])|\($0)" },
            cursor: next == nil ? encoded : nil)
        page.refresh = refresh
        return page
    }

    var zone: TimeZone { TimeZone(identifier: settings.tzid) ?? .gmt }

    /// The window bound as a date in `tzid` (Cronofy's `from`/`to` are dates, `to` exclusive).
    func day(_ d: Date, roundUp: Bool) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        var c = cal.dateComponents([.year, .month, .day], from: d)
        if roundUp, let next = cal.date(byAdding: .day, value: 1, to: d) {
            c = cal.dateComponents([.year, .month, .day], from: next)
        }
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    static func query(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
