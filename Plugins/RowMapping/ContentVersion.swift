import AlmanacCore
import Foundation

/// The version of an item whose source keeps none (an odbc row without an `updated` column):
/// `h:` and the `ContentHash` of its mapped content. Any change to a mapped field changes it;
/// column order and types do not. Instants count in whole seconds, as the engine compares them.
public enum ContentVersion {
    public static func of(_ e: Event) -> String {
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
        return "h:" + h.hex
    }
}
