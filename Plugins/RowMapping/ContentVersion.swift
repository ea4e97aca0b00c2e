import AlmanacCore
import Foundation

/// The version of an item whose source keeps none (an odbc row without an `updated` column):
/// `h:` and the `ContentHash` of its mapped content. Any change to a mapped field changes it;
/// column order and types do not. Instants count in whole seconds, as the engine compares them.
public enum ContentVersion {
    /// The version of an odbc row: with an `updated` column that has a value, `u:` and its
    /// seconds (`updated(_:)`); else the content's `h:` hash.
    public static func of(_ e: Event, updatedColumn: Bool) -> String {
        if updatedColumn, let u = e.updated { return updated(Int(u.timeIntervalSince1970.rounded(.down))) }
        return of(e)
    }

    /// `u:` and the decimal seconds of an `updated` stamp, written without the general integer
    /// formatting and concatenation (a string this short is stored inline, unallocated).
    public static func updated(_ seconds: Int) -> String {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: "u:", a sign, 19 digits
        return withUnsafeMutableBytes(of: &digits) { buffer in
            var v = seconds.magnitude
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            if seconds < 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "-")
            }
            buffer[i - 1] = UInt8(ascii: ":")
            buffer[i - 2] = UInt8(ascii: "u")
            return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[(i - 2)...]), as: UTF8.self)
        }
    }

    /// `h:` and the `ContentHash` of the event's mapped content (of its contact, for a contact).
    public static func of(_ e: Event) -> String {
        if let c = e.contact { return of(c) }
        var h = ContentHash()
        func add(_ s: String?) {
            if let s { h.add(s) } else { h.add("\u{0}") }
        }
        func add(_ v: Int64, tag: UInt8) {
            withUnsafeBytes(of: tag) { h.add($0) }
            withUnsafeBytes(of: v.littleEndian) { h.add($0) }
            h.separator()
        }
        func add(_ t: EventTime?) {
            switch t {
            case .none: add(nil as String?)
            case .allDay(let d): add(Int64(d.daysSince1970), tag: 0x64)
            case .instant(let d, _): add(Int64(d.timeIntervalSince1970.rounded(.down)), tag: 0x69)
            }
        }
        add(e.title)
        add(e.description)
        add(e.location)
        add(e.start)
        add(e.end)
        add(e.status.rawValue)
        add(e.created.map { .instant($0, timeZone: nil) })
        for p in e.participants {
            add(p.name)
            add(p.email)
            add(p.response.rawValue)
            for kind in PhoneKind.allCases { add(p.phones[kind]) }
        }
        add("|custom")
        if e.custom.count == 1, let (k, v) = e.custom.first {
            add(k)
            add(v)
        } else {
            for k in e.custom.keys.sorted() {
                add(k)
                add(e.custom[k])
            }
        }
        if let r = e.recurrence {
            add("|recurrence")
            add(r.seriesKey)
            add(r.originalStart)
        }
        if let s = e.series {
            add("|series")
            add(s.canonical)
        }
        return "h:" + h.hex
    }

    /// `h:` and the `ContentHash` of a contact's content, every field (groups and custom fields
    /// sorted: their order is not content).
    public static func of(_ c: Contact) -> String {
        var h = ContentHash()
        func add(_ s: String?) {
            if let s { h.add(s) } else { h.add("\u{0}") }
        }
        add("|contact")
        for s in [c.givenName, c.familyName, c.displayName, c.organization, c.jobTitle] { add(s) }
        for e in c.emails {
            add(e.address)
            add(e.kind.rawValue)
        }
        add("|phones")
        for p in c.phones {
            add(p.number)
            add(p.kind.rawValue)
        }
        add("|address")
        for s in [c.address?.street, c.address?.city, c.address?.region, c.address?.postalCode, c.address?.country] {
            add(s)
        }
        add(c.birthday?.description)
        add(c.notes)
        add("|groups")
        for g in c.groups.sorted() { add(g) }
        add("|custom")
        for k in c.custom.keys.sorted() {
            add(k)
            add(c.custom[k])
        }
        return "h:" + h.hex
    }
}
