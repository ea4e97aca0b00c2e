import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleConnector {
    /// The items of recurring events read whole (`recurrence = "series"`): each series (`masters`,
    /// and the series `fetching` names, read with `events.get`; a deleted or missing one is left
    /// out, its deletion comes as its own tombstone) with its exceptions from `events.instances`
    /// (`showDeleted=true`, every page). The version is the series' etag and a hash of its
    /// exceptions' etags: an edit of one occurrence is a new version of the series.
    func seriesItems(_ masters: [GoogleEventResource], fetching: [String]) throws -> ([SourceItem], [ItemProblem]) {
        var all = masters
        for id in fetching {
            let r = try api.send(HTTPRequest(url: settings.baseURL + eventsPath + "/" + GoogleConnector.escape(id)))
            if r.status == 404 || r.status == 410 { continue }
            guard r.isSuccess else { throw failure(r, doing: "reading recurring event \(id)") }
            let g = try r.decode(GoogleEventResource.self)
            if g.status != "cancelled" && g.recurrence?.isEmpty == false { all.append(g) }
        }
        var items: [SourceItem] = []
        var problems: [ItemProblem] = []
        for g in all {
            guard let id = g.id else { continue }
            let (read, problem) = GoogleMapping.event(g, zone: zone)
            if let problem { problems.append(problem) }
            guard var event = read else { continue }
            let instances = try seriesInstances(id)
            let length = GoogleSeries.length(start: event.start, end: event.end)
            let changed = instances.filter { !GoogleSeries.exceptions([$0], length: length).isEmpty }
            event.series?.exceptions = GoogleSeries.exceptions(changed, length: length)
            var version = g.etag ?? ""
            if !changed.isEmpty {
                version += "/" + ContentHash.hex(Array(changed.map { $0.etag ?? "" }.joined(separator: ",").utf8))
            }
            items.append(SourceItem(key: id, version: version, event: event))
        }
        return (items, problems)
    }

    /// Every instance of series `id`, cancelled ones included.
    func seriesInstances(_ id: String) throws -> [GoogleEventResource] {
        var out: [GoogleEventResource] = []
        var pageToken: String?
        repeat {
            var params = [("showDeleted", "true"), ("maxResults", "2500")]
            if let pageToken { params.append(("pageToken", pageToken)) }
            let url =
                settings.baseURL + eventsPath + "/" + GoogleConnector.escape(id) + "/instances?"
                + GoogleConnector.query(params)
            let r = try api.send(HTTPRequest(url: url))
            if r.status == 404 || r.status == 410 { return out }
            guard r.isSuccess else { throw failure(r, doing: "listing the instances of recurring event \(id)") }
            let list = try r.decode(GoogleEventList.self)
            out += list.items ?? []
            pageToken = list.nextPageToken
        } while pageToken != nil
        return out
    }
}
