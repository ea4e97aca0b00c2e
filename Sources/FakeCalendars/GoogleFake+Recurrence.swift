import AlmanacCore
import Foundation

/// Recurring events as Google keeps them: a series (`recurrence` lines RRULE/RDATE/EXDATE, its
/// start's `timeZone` required) whose instances have ids `<seriesId>_<YYYYMMDDTHHMMSSZ>` (all-day:
/// `_<YYYYMMDD>`), `recurringEventId` and `originalStartTime`. An instance that is edited,
/// moved or deleted becomes a stored exception under its instance id (a deleted one a cancelled
/// tombstone that keeps `recurringEventId` and `originalStartTime`). Listings with
/// `singleEvents=true` show the series' instances with the exceptions in their place; without it
/// they show the series and its exceptions, cancelled ones included (as Google does whatever
/// `showDeleted` says). `GET …/events/{id}/instances` lists one series' instances.
extension GoogleStore {
    /// Instances of a recurring record starting in `[from, to)` (default: its first 3 years),
    /// exceptions not applied; empty when it is not recurring or its lines cannot be read.
    static func expand(_ rec: GoogleRecord, from: Date? = nil, to: Date? = nil, limit: Int = 1_000) -> [[String: Any]] {
        guard let lines = rec.json["recurrence"] as? [String], let startJSON = rec.json["start"] as? [String: Any],
            let first = instant(startJSON)
        else { return [] }
        let allDay = startJSON["date"] != nil
        let zone = (startJSON["timeZone"] as? String).flatMap(TimeZone.init(identifier:)) ?? .gmt
        let endJSON = rec.json["end"] as? [String: Any]
        let length = (instant(endJSON) ?? first).timeIntervalSince(first)
        guard let set = try? recurrenceSet(lines, start: first, allDay: allDay, zone: zone) else { return [] }
        let id = rec.json["id"] as? String ?? ""
        let windowStart = from ?? first.addingTimeInterval(-86_400)
        let windowEnd = to ?? first.addingTimeInterval(3 * 366 * 86_400)
        return set.instances(from: windowStart, to: windowEnd, localZone: .gmt).prefix(limit).map { i in
            let s = i.originalStart.date(in: .gmt)
            var inst = rec.json
            inst.removeValue(forKey: "recurrence")
            inst["id"] = "\(id)_\(compact(s, allDay: allDay))"
            inst["recurringEventId"] = id
            inst["start"] = time(s, like: startJSON, allDay: allDay)
            inst["end"] = time(s.addingTimeInterval(length), like: endJSON, allDay: allDay)
            inst["originalStartTime"] = inst["start"]
            return inst
        }
    }

    /// The set of `RRULE:`, `RDATE` and `EXDATE` lines (values with `TZID=`, `VALUE=DATE`, `Z`,
    /// or floating in the series' zone) for a series starting at `start`.
    static func recurrenceSet(_ lines: [String], start: Date, allDay: Bool, zone: TimeZone) throws -> RecurrenceSet {
        var rules: [RecurrenceRule] = []
        var rdates: [RecurrenceSet.Moment] = []
        var exdates: [RecurrenceSet.Moment] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let head = line[..<colon].split(separator: ";")
            let value = String(line[line.index(after: colon)...])
            switch head.first?.uppercased() {
            case "RRULE": rules.append(try RecurrenceRule(parsing: value))
            case "RDATE", "EXDATE":
                var valueZone = zone
                for p in head.dropFirst() where p.uppercased().hasPrefix("TZID=") {
                    valueZone = TimeZone(identifier: String(p.dropFirst(5))) ?? zone
                }
                let moments = value.split(separator: ",").compactMap { moment(String($0), zone: valueZone) }
                if head.first?.uppercased() == "RDATE" { rdates += moments } else { exdates += moments }
            default: continue
            }
        }
        let first: RecurrenceSet.Start =
            allDay
            ? .allDay(WallTime(start, in: .gmt).date) : .zoned(WallTime(start, in: zone), zone)
        return try RecurrenceSet(start: first, rules: rules, rdates: rdates, exdates: exdates)
    }

    /// `YYYYMMDD` (a date), `YYYYMMDDTHHMMSSZ` (UTC) or `YYYYMMDDTHHMMSS` (in `zone`).
    static func moment(_ v: String, zone: TimeZone) -> RecurrenceSet.Moment? {
        let c = Array(v)
        func n(_ r: Range<Int>) -> Int? { r.upperBound <= c.count ? Int(String(c[r])) : nil }
        guard let y = n(0..<4), let m = n(4..<6), let d = n(6..<8) else { return nil }
        let date = CivilDate(year: y, month: m, day: d)
        if c.count == 8 { return .date(date) }
        guard c.count >= 15, let hh = n(9..<11), let mm = n(11..<13), let ss = n(13..<15) else { return nil }
        let wall = WallTime(date: date, time: LocalTime(hour: hh, minute: mm, second: ss))
        return .utc(wall.resolve(in: c.count == 16 ? .gmt : zone))
    }
}

extension GoogleFake {
    /// The id of the instance of `series` whose original start is `originalStart`.
    public static func instanceID(series: String, originalStart: Date, allDay: Bool = false) -> String {
        "\(series)_\(GoogleStore.compact(originalStart, allDay: allDay))"
    }

    /// The starts of a series' occurrences as a listing with `singleEvents` shows them (moved
    /// ones at their new start, cancelled ones left out), in order.
    public func instanceStarts(of id: String, in calendar: String = "primary") -> [Date] {
        lock.withLock {
            guard let rec = store.calendars[calendar]?[id], !rec.deleted else { return [] }
            let recs = store.calendars[calendar] ?? [:]
            return GoogleStore.expand(rec).compactMap { inst -> Date? in
                if let e = recs[inst["id"] as? String ?? ""] {
                    return e.deleted ? nil : GoogleStore.instant(e.json["start"])
                }
                return GoogleStore.instant(inst["start"])
            }.sorted()
        }
    }

    /// Changes one instance of a series as a calendar user would (moves it, answers it): the
    /// instance becomes an exception stored under its id. Returns false when there is no such
    /// instance.
    @discardableResult
    public func editInstance(_ id: String, in calendar: String = "primary", _ change: (inout [String: Any]) -> Void)
        -> Bool
    {
        lock.withLock {
            guard var rec = materialized(id, calendar: calendar), !rec.deleted else { return false }
            change(&rec.json)
            rec.seq = store.stamp(&rec.json, id: id, calendar: calendar, created: rec.json["created"] as? String)
            store.calendars[calendar, default: [:]][id] = rec
            return true
        }
    }

    /// A stored exception or a generated instance of a stored series (caller holds the lock).
    func materialized(_ id: String, calendar: String) -> GoogleRecord? {
        if let rec = store.calendars[calendar]?[id] { return rec }
        guard let inst = instance(id, calendar: calendar), let us = id.lastIndex(of: "_"),
            let series = store.calendars[calendar]?[String(id[..<us])]
        else { return nil }
        return GoogleRecord(json: inst, seq: series.seq, deleted: false)  // the series' etag
    }

    /// The tombstone of a deleted record: a cancelled instance keeps its series and original start.
    static func tombstone(id: String, _ rec: GoogleRecord) -> [String: Any] {
        var out: [String: Any] = [
            "kind": "calendar#event", "id": id, "status": "cancelled", "etag": rec.etag,
            "updated": rec.json["updated"] ?? "",
        ]
        for k in ["recurringEventId", "originalStartTime"] where rec.json[k] != nil { out[k] = rec.json[k] }
        return out
    }

    /// `GET …/events/{id}/instances`: the series' instances with its exceptions in their place
    /// (cancelled ones only with `showDeleted`), within `timeMin`/`timeMax`, paged as listings are.
    func instances(_ r: FakeRequest, series id: String, calendar: String) -> FakeResponse {
        let maxResults = max(1, min(Int(r.param("maxResults") ?? "250") ?? 250, 2500))
        if r.param("pageToken") != nil { return list(r, calendar: calendar) }  // pages of a snapshot, as listings
        return lock.withLock {
            guard let rec = store.calendars[calendar]?[id], !rec.deleted, rec.json["recurrence"] != nil else {
                return GoogleFake.error(404, "notFound", "Not Found")
            }
            let tmin = r.param("timeMin").flatMap(GoogleStore.parse)
            let tmax = r.param("timeMax").flatMap(GoogleStore.parse)
            let recs = store.calendars[calendar] ?? [:]
            var items: [[String: Any]] = []
            for inst in GoogleStore.expand(rec) {
                let instID = inst["id"] as? String ?? ""
                var item = inst
                if let exception = recs[instID] {
                    if exception.deleted {
                        guard r.flag("showDeleted") else { continue }
                        item = GoogleFake.tombstone(id: instID, exception)
                        item["start"] = inst["start"]  // for the window below only
                    } else {
                        item = exception.json
                    }
                }
                let s = GoogleStore.instant(item["start"]) ?? .distantPast
                if let tmin, (GoogleStore.instant(item["end"]) ?? s) <= tmin { continue }
                if let tmax, s >= tmax { continue }
                if (item["status"] as? String) == "cancelled" { item.removeValue(forKey: "start") }
                items.append(item)
            }
            snapshotCounter += 1
            let token = "p\(snapshotCounter)"
            let snap = GoogleSnapshot(items: items, offset: 0, page: 0, seq: store.seq, calendar: calendar)
            snapshots[token] = snap
            return page(token, snap, maxResults: maxResults)
        }
    }

    /// Whether a recurring record has an instance overlapping `[tmin, tmax)` (listings without
    /// `singleEvents` show a series when one of its instances is in the window).
    static func overlaps(_ rec: GoogleRecord, _ tmin: Date?, _ tmax: Date?) -> Bool {
        let from = tmin.map { $0.addingTimeInterval(-7 * 86_400) }
        return GoogleStore.expand(rec, from: from, to: tmax).contains { inst in
            let s = GoogleStore.instant(inst["start"]) ?? .distantPast
            let e = GoogleStore.instant(inst["end"]) ?? s
            return (tmin.map { e > $0 } ?? true) && (tmax.map { s < $0 } ?? true)
        }
    }
}
