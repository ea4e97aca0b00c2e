import AlmanacCore
import FileConnectorSupport
import RowMapping

/// The values of one item as the document holds them: the mapped paths (in `fields` order) and
/// the other direct children and attributes of the item element (in document order), which map
/// by their own names (`<title>` → title, `<Room>` → custom "Room").
///
/// The item's version is the hash of these values, so the sink can compute the version of what
/// it writes without reading it back.
struct XMLItemValues {
    var configured: [String?]
    var extras: [Extra] = []

    /// A value found under its own name; `field` is `StandardField(name: name)`.
    struct Extra {
        var name: String
        var field: StandardField
        var value: String

        init(_ name: String, _ value: String, field: StandardField? = nil) {
            self.name = name
            self.field = field ?? StandardField(name: name)
            self.value = value
        }
    }

    init(count: Int) { configured = [String?](repeating: nil, count: count) }

    var version: String {
        var h = ContentHash()
        for (i, v) in configured.enumerated() {
            guard let v, !v.isEmpty else { continue }
            withUnsafeBytes(of: UInt32(i).littleEndian) { h.add($0) }
            h.add(v)
        }
        h.separator()
        for e in extras where !e.value.isEmpty {
            h.add(e.name)
            h.add(e.value)
        }
        return h.hex
    }

    /// The values as a row of standard fields for `RowMapper`; `fields` are the configured ones.
    func row(_ fields: [StandardField]) -> (fields: [StandardField], values: [String?]) {
        guard !extras.isEmpty else { return (fields, configured) }
        var names = fields
        var values = configured
        for e in extras where !names.contains(e.field) {
            names.append(e.field)
            values.append(e.value)
        }
        return (names, values)
    }
}
