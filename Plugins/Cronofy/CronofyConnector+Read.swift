import AlmanacCore
import AlmanacHTTP
import Foundation

extension CronofyConnector {
    /// One page of `GET /v1/events` for the calendar, with `tzid` and `include_managed=true`
    /// (almanac's own events are managed). Without a cursor: the window in full (items whose
    /// start falls in it). With a cursor (a `last_modified` instant): the changes since, deleted
    /// events included and reported as `deleted`. Pages follow `pages.next_page`; the last page
    /// carries the new cursor (the read's start, less a small overlap).
    public func read(_ request: ReadRequest) throws -> ReadPage {
        try checkCalendar()
        let mode: String
        let nextCursor: String
        let url: String
        if let c = request.continuation {
            let parts = c.split(separator: "|", maxSplits: 2).map(String.init)
            guard parts.count == 3 else {
                throw AlmanacError("cronofy.bad_continuation", "connection \"\(connection)\": unreadable page continuation")
            }
            (mode, nextCursor, url) = (parts[0], parts[1], parts[2])
        } else {
            let since = request.cursor.flatMap(CronofyMapping.parseInstant) ?? request.since
            mode = since == nil ? "full" : "delta"
            nextCursor = CronofyMapping.utc(Date().addingTimeInterval(-CronofyConnector.cursorOverlap))
            var q: [(String, String)] = [("tzid", settings.tzid), ("calendar_ids[]", settings.calendarID),
                                         ("include_managed", "true"),
                                         ("from", day(request.window.start, roundUp: false)),
                                         ("to", day(request.window.end, roundUp: true))]
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
            if e["deleted"] as? Bool == true {
                if mode == "delta" { deleted.append(key) }
                continue
            }
            let (event, problem) = CronofyMapping.event(e)
            if let problem { problems.append(problem) }
            guard let event else { continue }
            if mode == "full" && !request.window.contains(event.start.date(in: zone)) { continue }
            items.append(SourceItem(key: key, version: e["updated"] as? String, event: event))
        }
        let next = (body["pages"] as? [String: Any])?["next_page"] as? String
        return ReadPage(items: items, deleted: deleted, problems: problems,
                        coverage: mode == "full" ? .complete(request.window) : .delta,
                        continuation: next.map { "\(mode)|\(nextCursor)|\($0)" },
                        cursor: next == nil ? nextCursor : nil)
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
