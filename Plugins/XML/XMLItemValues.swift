import AlmanacCore
import FileConnectorSupport

/// The values of one item as the document holds them: the mapped paths (in `fields` order) and
/// the other direct children and attributes of the item element (in document order), which map
/// by their own names (`<title>` → title, `<Room>` → custom "Room").
///
/// The item's version is the hash of these values, so the sink can compute the version of what
/// it writes without reading it back.
struct XMLItemValues {
    var configured: [String?]
    var extras: [(name: String, value: String)] = []

    init(count: Int) { configured = [String?](repeating: nil, count: count) }

    var version: String {
        var h = ContentHash()
        for (i, v) in configured.enumerated() {
            guard let v, !v.isEmpty else { continue }
            h.add(String(i))
            h.add(v)
        }
        h.separator()
        for (n, v) in extras where !v.isEmpty {
            h.add(n)
            h.add(v)
        }
        return h.hex
    }

    /// The values as a row of standard fields for `RowMapper`; `fields` are the configured ones.
    func row(_ fields: [StandardField]) -> (fields: [StandardField], values: [String?]) {
        guard !extras.isEmpty else { return (fields, configured) }
        var names = fields
        var values = configured
        for (n, v) in extras {
            let f = StandardField(name: n)
            guard !names.contains(f) else { continue }
            names.append(f)
            values.append(v)
        }
        return (names, values)
    }
}
