import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleConnector {
    /// One page of a listing. A first call without a cursor lists the window in full
    /// (`singleEvents=true`: recurring series as instances; with `recurrence = "series"`
    /// `singleEvents=false` and each series whole, `GoogleConnector.seriesItems`); with a cursor it asks for the
    /// changes since that `syncToken` (cancelled items become `deleted`). A 410 on the token
    /// drops it and lists the window in full, so the engine reconciles against its state. Pages
    /// are followed until `nextPageToken` is absent, even after empty pages; the last page
    /// carries `nextSyncToken` as the new cursor.
    public func read(_ request: ReadRequest) throws -> ReadPage {
        var mode: String
        var pageToken: String?
        if let c = request.continuation, let bar = c.firstIndex(of: "|") {
            mode = String(c[..<bar])
            pageToken = String(c[c.index(after: bar)...])
        } else {
            mode = request.cursor != nil ? "delta" : (request.since != nil ? "since" : "full")
        }
        while true {
            let single = recurrence == .instances ? "true" : "false"
            var params: [(String, String)] = [("singleEvents", single), ("maxResults", "2500")]
            switch mode {
            case "delta":
                params.append(("syncToken", request.cursor ?? ""))
            case "since":
                params += window(request.window)
                params += [
                    ("updatedMin", GoogleMapping.rfc3339(request.since ?? .distantPast, in: .gmt)),
                    ("showDeleted", "true"),
                ]
            default:
                params += window(request.window)
            }
            if let pageToken { params.append(("pageToken", pageToken)) }
            let response = try api.send(
                HTTPRequest(url: settings.baseURL + eventsPath + "?" + GoogleConnector.query(params)))
            if response.status == 410 && mode == "delta" {
                logger.info(
                    "sync token expired; listing the window in full",
                    metadata: ["connector": "google", "connection": "\(connection)"])
                mode = "full"
                pageToken = nil
                continue
            }
            guard response.isSuccess else { throw failure(response, doing: "listing events") }
            let list = try response.decode(GoogleEventList.self)
            return try page(list, mode: mode, window: request.window)
        }
    }

    private func window(_ w: TimeWindow) -> [(String, String)] {
        [("timeMin", GoogleMapping.rfc3339(w.start, in: .gmt)), ("timeMax", GoogleMapping.rfc3339(w.end, in: .gmt))]
    }

    private func page(_ list: GoogleEventList, mode: String, window: TimeWindow) throws -> ReadPage {
        var items: [SourceItem] = []
        var deleted: [String] = []
        var problems: [ItemProblem] = []
        var masters: [GoogleEventResource] = []
        var touched: [String] = []
        for g in list.items ?? [] {
            guard let id = g.id else { continue }
            if recurrence == .series, let series = g.recurringEventId {
                if !touched.contains(series) { touched.append(series) }
                continue  // an exception: part of its series' item
            }
            if recurrence == .series, g.status != "cancelled", g.recurrence?.isEmpty == false {
                masters.append(g)
                continue
            }
            if g.status == "cancelled" {
                if mode != "full" { deleted.append(id) }
                continue
            }
            let (event, problem) = GoogleMapping.event(g, zone: zone)
            if let event { items.append(SourceItem(key: id, version: g.etag, event: event)) }
            if let problem { problems.append(problem) }
        }
        if recurrence == .series {
            // A full listing lists every series in the window itself; a delta may list only the
            // exception that changed, whose series is then read again.
            let listed = Set(masters.compactMap(\.id))
            let others = mode == "full" ? [] : touched.filter { !listed.contains($0) }
            let (found, bad) = try seriesItems(masters, fetching: others)
            items += found
            problems += bad
        }
        let coverage: ReadCoverage = mode == "full" ? .complete(window) : .delta
        return ReadPage(
            items: items, deleted: deleted, problems: problems, coverage: coverage,
            continuation: list.nextPageToken.map { "\(mode)|\($0)" },
            cursor: list.nextPageToken == nil ? list.nextSyncToken : nil)
    }
}
