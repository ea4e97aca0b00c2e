import Foundation

/// One stored Google event: its JSON resource and bookkeeping.
struct GoogleRecord {
    var json: [String: Any]
    var seq: Int
    var deleted: Bool
    var etag: String { "\"\(seq)\"" }
}

/// The Google fake's calendars (thread-safe through the owning `GoogleFake`'s lock).
struct GoogleStore {
    var calendars: [String: [String: GoogleRecord]] = [:]
    /// Monotonic change counter: every mutation stamps the record with the next value.
    var seq = 1_000
    /// Sync tokens issued before the current epoch answer 410.
    var epoch = 1

    mutating func nextSeq() -> Int {
        seq += 1
        return seq
    }

    /// Turns a record into a tombstone: cancelled, with a new sync position and `updated` time
    /// (what `updatedMin` and sync tokens see).
    mutating func markDeleted(_ rec: inout GoogleRecord) {
        rec.deleted = true
        rec.seq = nextSeq()
        rec.json["status"] = "cancelled"
        rec.json["updated"] = ISOTime.string(from: Date())
        rec.json["etag"] = rec.etag
    }

    /// Google event ids: base32hex characters (a–v, 0–9), 5 to 1024 long.
    static func validID(_ id: String) -> Bool {
        (5...1024).contains(id.count) && id.utf8.allSatisfy { (48...57).contains($0) || (97...118).contains($0) }
    }

    /// Parses an event time (`{dateTime}` or `{date}`) into an instant (all-day at 00:00 UTC).
    static func instant(_ t: Any?) -> Date? {
        guard let t = t as? [String: Any] else { return nil }
        if let s = t["dateTime"] as? String { return parse(s) }
        if let d = t["date"] as? String { return parse(d + "T00:00:00Z") }
        return nil
    }

    static func parse(_ s: String) -> Date? { ISOTime.date(from: s) }

    /// Fills server-owned fields of a resource being stored.
    mutating func stamp(_ json: inout [String: Any], id: String, calendar: String, created: String?) -> Int {
        let s = nextSeq()
        let now = ISOTime.string(from: Date())
        json["kind"] = "calendar#event"
        json["id"] = id
        json["etag"] = "\"\(s)\""
        json["created"] = created ?? now
        json["updated"] = now
        if json["status"] == nil { json["status"] = "confirmed" }
        json["iCalUID"] = json["iCalUID"] ?? "\(id)@google.com"
        json["htmlLink"] = "https://calendar.example.invalid/event?eid=\(id)"
        json["organizer"] = json["organizer"] ?? ["email": calendar, "self": true]
        return s
    }

    static func time(_ d: Date, like: Any?, allDay: Bool) -> [String: Any] {
        if allDay { return ["date": String(ISOTime.string(from: d).prefix(10))] }
        var t: [String: Any] = ["dateTime": ISOTime.string(from: d)]
        if let z = (like as? [String: Any])?["timeZone"] { t["timeZone"] = z }
        return t
    }

    static func compact(_ d: Date, allDay: Bool) -> String {
        let iso = ISOTime.string(from: d)
        let digits = iso.prefix(19).filter { $0 != "-" && $0 != ":" }
        return allDay ? String(digits.prefix(8)) : digits + "Z"
    }

    static func compactToISO(_ s: String) -> String {
        let c = Array(s)
        guard c.count >= 15 else { return s }
        return
            "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8]))T\(String(c[9..<11])):\(String(c[11..<13])):\(String(c[13..<15]))Z"
    }
}
