import AlmanacCore
import AlmanacHTTP
import Foundation

extension GoogleConnector {
    /// `events.get` for each key (concurrently, `max_concurrent` at a time): a live event comes
    /// back wherever its start lies; a cancelled one (Google keeps deleted events as cancelled)
    /// or a 404/410 is confirmed absent. Any other answer fails the lookup, so nothing is deleted
    /// on its strength.
    public func lookup(_ keys: [String]) throws -> [SourceItem] {
        let requests = keys.map { HTTPRequest(url: settings.baseURL + eventsPath + "/" + GoogleConnector.escape($0)) }
        var found: [SourceItem] = []
        for (key, result) in zip(keys, try api.sendAll(requests)) {
            let r: HTTPResponse
            switch result {
            case .success(let response): r = response
            case .failure(let error): throw error
            }
            if r.status == 404 || r.status == 410 { continue }
            guard r.isSuccess else { throw failure(r, doing: "looking up event \(key)") }
            let g = try r.decode(GoogleEventResource.self)
            if g.status == "cancelled" { continue }
            if recurrence == .series, g.recurrence?.isEmpty == false,
                let item = try seriesItems([g], fetching: []).0.first
            {
                found.append(item)
                continue
            }
            guard let event = GoogleMapping.event(g, zone: zone).0 else {
                throw AlmanacError(
                    .googleUnreadableEvent,
                    "connection \"\(connection)\": event \(key) was found but cannot be read; nothing was deleted")
            }
            found.append(SourceItem(key: key, version: g.etag, event: event))
        }
        return found
    }
}
