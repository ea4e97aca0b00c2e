/// A statement written with named parameters (`:window_start`, `:external_id`,
/// `:custom.appt_type`), rewritten to positional `?` markers for ODBC.
///
/// The scanner skips string literals (`'…'`, with `''`), quoted identifiers (`"…"`, `` `…` ``,
/// `[…]`), line comments (`--`) and block comments, and leaves PostgreSQL casts (`::type`)
/// alone, so `'10:30'` or `x::date` are never taken for parameters.
struct NamedStatement: Hashable, Sendable {
    /// The SQL as written in the profile.
    var original: String
    /// The SQL with `?` in place of each parameter.
    var sql: String
    /// The parameter names in marker order (a name used twice appears twice).
    var names: [String]
    /// Where each marker stands in `sql` (a unicode-scalar offset), in marker order.
    var markers: [Int]

    init(_ text: String) {
        original = text
        var out = ""
        var names: [String] = []
        var markers: [Int] = []
        let chars = Array(text.unicodeScalars)
        var i = 0
        func isStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isPart(_ c: Unicode.Scalar) -> Bool { isStart(c) || (c >= "0" && c <= "9") }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "'", "\"", "`", "[":
                let close: Unicode.Scalar = c == "[" ? "]" : c
                out.unicodeScalars.append(c)
                i += 1
                while i < chars.count {
                    out.unicodeScalars.append(chars[i])
                    if chars[i] == close {
                        // A doubled quote inside a literal is an escaped quote.
                        if i + 1 < chars.count && chars[i + 1] == close && close != "]" {
                            out.unicodeScalars.append(chars[i + 1])
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    i += 1
                }
            case "-" where i + 1 < chars.count && chars[i + 1] == "-":
                while i < chars.count && chars[i] != "\n" {
                    out.unicodeScalars.append(chars[i])
                    i += 1
                }
            case "/" where i + 1 < chars.count && chars[i + 1] == "*":
                out += "/*"
                i += 2
                while i < chars.count && !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/") {
                    out.unicodeScalars.append(chars[i])
                    i += 1
                }
                if i < chars.count {
                    out += "*/"
                    i += 2
                }
            case ":" where i + 1 < chars.count && chars[i + 1] == ":":
                out += "::"
                i += 2
            case ":" where i + 1 < chars.count && isStart(chars[i + 1]) && (i == 0 || !isPart(chars[i - 1])):
                var j = i + 1
                var name = ""
                while j < chars.count && isPart(chars[j]) {
                    name.unicodeScalars.append(chars[j])
                    j += 1
                }
                // `custom.NAME` names a custom field explicitly.
                if name == "custom" && j + 1 < chars.count && chars[j] == "." && isStart(chars[j + 1]) {
                    name += "."
                    j += 1
                    while j < chars.count && isPart(chars[j]) {
                        name.unicodeScalars.append(chars[j])
                        j += 1
                    }
                }
                names.append(name)
                markers.append(out.unicodeScalars.count)
                out += "?"
                i = j
            default:
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        sql = out
        self.names = names
        self.markers = markers
    }

    /// The SQL with each marker of `name` repeated `count` times (`?, ?, ?`): a list parameter
    /// such as `IN (:keys)` bound one value per marker.
    func sql(expanding name: String, count: Int) -> String {
        let list = Array(repeating: "?", count: max(1, count)).joined(separator: ", ")
        var out = ""
        var scalars = sql.unicodeScalars.makeIterator()
        var offset = 0
        for (marker, markerName) in zip(markers, names) {
            while offset < marker, let c = scalars.next() {
                out.unicodeScalars.append(c)
                offset += 1
            }
            _ = scalars.next()
            offset += 1
            out += markerName == name ? list : "?"
        }
        while let c = scalars.next() { out.unicodeScalars.append(c) }
        return out
    }
}
