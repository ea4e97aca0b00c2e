import AlmanacCore
import Foundation

/// The version of a row without an `updated` column: SHA-256 of its mapped content (first 16
/// bytes, hex). Any change to a mapped field changes it; column order and types do not.
enum ContentHash {
    static func of(_ e: Event) -> String {
        var h = SHA256()
        func add(_ s: String?) {
            h.update(s ?? "\u{0}")
            h.update([0x1F])
        }
        func add(_ t: EventTime?) {
            switch t {
            case .none: add(nil as String?)
            case .allDay(let d): add("d" + d.description)
            case .instant(let d, _): add("i" + String(Int64(d.timeIntervalSince1970.rounded(.down))))
            }
        }
        add(e.title)
        add(e.description)
        add(e.location)
        add(e.start)
        add(e.end)
        add(e.status.rawValue)
        add(e.created.map { String(Int64($0.timeIntervalSince1970)) })
        for p in e.participants {
            add(p.name)
            add(p.email)
            add(p.response.rawValue)
            for kind in PhoneKind.allCases { add(p.phones[kind]) }
        }
        add("|custom")
        for k in e.custom.keys.sorted() {
            add(k)
            add(e.custom[k])
        }
        return SHA256.hex(h.finalize().prefix(16))
    }
}
