import AlmanacCore
import AlmanacHTTP
import Foundation

/// Reading series back (`recurrence = "series"`): the occurrences are not items of their own;
/// each series is one item, as last written, with the occurrences deleted or moved on the
/// calendar since as its exceptions.
extension CronofyConnector {
    /// The series items of a read of `request`: on a full listing, every series written whole
    /// whose first occurrence is in the window; on a delta, the series whose occurrences changed
    /// on the calendar. The calendar is checked once per run (`refreshSeries`). With them, the
    /// series to be written again (`ReadPage.refresh`, `seriesToRefresh`).
    func seriesItems(for request: ReadRequest, full: Bool) throws -> (
        items: [SourceItem], refresh: [String: String]
    ) {
        seriesWindow =
            seriesWindow.map { w in
                TimeWindow(start: min(w.start, request.window.start), end: max(w.end, request.window.end))
            } ?? request.window
        var book = try seriesStore.load()
        guard !book.series.isEmpty else { return ([], [:]) }
        let changed = try refreshSeries(&book)
        let refresh = seriesToRefresh(book, window: request.window)
        if full {
            let items = book.series.keys.sorted().compactMap { key -> SourceItem? in
                guard let item = seriesItem(key, book: book), request.window.contains(item.event.start.date(in: zone))
                else { return nil }
                return item
            }
            return (items, refresh)
        }
        // A delta reports a changed series once.
        seriesChanged = []
        return (changed.sorted().compactMap { seriesItem($0, book: book) }, refresh)
    }

    /// The series written whole of which an occurrence starting in `window` was never written
    /// (it entered the window as days passed): nothing else would write it while the series is
    /// unchanged, so the engine is asked to write the series again, which writes those
    /// occurrences only (`expand`). By key, with the reason `--dry-run` shows.
    func seriesToRefresh(_ book: CronofySeriesBook, window: TimeWindow) -> [String: String] {
        var out: [String: String] = [:]
        for (key, entry) in book.series {
            guard let event = entry.event, let set = try? event.series?.set(start: event.start, end: event.end)
            else { continue }
            let missing = set.instances(from: window.start, to: window.end, localZone: zone).contains { i in
                entry.instances[CronofySeriesBook.instanceID(series: key, originalStart: i.originalStart)] == nil
            }
            if missing { out[key] = "occurrences entered the window" }
        }
        return out
    }

    /// The item of series `key`: nil until the series was written whole.
    func seriesItem(_ key: String, book: CronofySeriesBook) -> SourceItem? {
        guard var event = book.series[key]?.event, var series = event.series else { return nil }
        let mine = book.exceptions(of: key)
        let taken = Set(mine.map { EventSeries.token($0.originalStart) })
        series.exceptions = series.exceptions.filter { !taken.contains(EventSeries.token($0.originalStart)) } + mine
        event.series = series
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let version = "s" + String(SHA256.hex((try? encoder.encode(event)) ?? Data()).prefix(16))
        return SourceItem(key: key, version: version, event: event)
    }

    /// Lists the calendar over the span of every occurrence the book holds (every page) and
    /// records what became of each one whose write Cronofy confirmed: deleted (not listed) is
    /// cancelled, listed at another start or end is moved, listed as written is live again.
    /// Returns the series whose occurrences changed; the book is saved when one did. Done once a
    /// run: later calls return what the first found.
    func refreshSeries(_ book: inout CronofySeriesBook) throws -> Set<String> {
        if let seriesChanged { return seriesChanged }
        var low: Date?
        var high: Date?
        for entry in book.series.values {
            for i in entry.instances.values where i.state != .removing {
                var times = [i.originalStart, i.start] + (i.end.map { [$0] } ?? [])
                if case .moved(let s, let e) = i.state { times += [s] + (e.map { [$0] } ?? []) }
                for t in times {
                    let d = t.date(in: zone)
                    low = min(low ?? d, d)
                    high = max(high ?? d, d)
                }
            }
        }
        guard let low, let high else {
            seriesChanged = []
            return []
        }
        let listed = try managedEvents(from: low.addingTimeInterval(-86_400), to: high.addingTimeInterval(86_400))
        var changed: Set<String> = []
        for (key, entry) in book.series {
            for (id, i) in entry.instances where i.state != .removing {
                var state = i.state
                if let e = listed[id], let start = CronofyMapping.time(e["start"]) {
                    let end = CronofyMapping.time(e["end"])
                    let sameEnd = end == nil || i.end == nil || EventSeries.token(end!) == EventSeries.token(i.end!)
                    state =
                        EventSeries.token(start) == EventSeries.token(i.start) && sameEnd
                        ? .live : .moved(start: start, end: end)
                } else if i.body != nil {
                    state = .cancelled
                }
                if state != i.state {
                    book.series[key]?.instances[id]?.state = state
                    changed.insert(key)
                }
            }
        }
        if !changed.isEmpty { try seriesStore.save(book) }
        seriesChanged = changed
        return changed
    }

    /// The live managed events of the calendar that start or end in `[from, to)` (dates in
    /// `tzid`), by `event_id`, every page.
    func managedEvents(from: Date, to: Date) throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        try eachEvent(from: from, to: to, doing: "reading series occurrences") { e in
            guard let id = e["event_id"] as? String, e["deleted"] as? Bool != true else { return }
            out[id] = e
        }
        return out
    }

    /// Whether `e` is an occurrence of a series this connector wrote (a managed event whose
    /// `event_id` is shaped as `CronofySeriesBook.instanceID`): never an item of its own.
    func isSeriesOccurrence(_ e: [String: Any]) -> Bool {
        guard recurrence == .series, let id = e["event_id"] as? String else { return false }
        return CronofySeriesBook.seriesKey(ofInstance: id) != nil
    }
}
