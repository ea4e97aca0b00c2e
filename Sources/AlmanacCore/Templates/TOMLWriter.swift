/// Writes a `ConfigTable` as TOML text that reads back as the same table.
///
/// Every value is written by its type, never spliced in as text: a string becomes a TOML basic
/// string with every quote, backslash and control character escaped (a multi-line basic string
/// when it holds newlines), so no value can close its string and add a key. Keys are written in
/// the table's (alphabetical) order: scalars and inline values first, then sub-tables, then
/// arrays of tables. Tables holding only integers and booleans (`window`, `apply`) are inline.
public enum TOMLWriter {
    public static func write(_ table: ConfigTable) -> String {
        var out = ""
        body(table, path: [], into: &out)
        return out
    }

    private static func body(_ table: ConfigTable, path: [String], into out: inout String) {
        var subtables: [(String, ConfigTable)] = []
        var arrays: [(String, [ConfigTable])] = []
        for key in table.keys {
            let value = table[key]!
            switch value {
            case .table(let t) where !isInline(t):
                subtables.append((key, t))
            case .array(let a) where !a.isEmpty && a.allSatisfy({ if case .table = $0 { true } else { false } }):
                arrays.append((key, a.map { if case .table(let t) = $0 { t } else { ConfigTable() } }))
            default:
                out += "\(quoteKey(key)) = \(inline(value))\n"
            }
        }
        for (key, t) in subtables {
            let p = path + [key]
            let onlyTables =
                !t.isEmpty
                && t.entries.values.allSatisfy { v in
                    if case .table(let inner) = v { return !isInline(inner) }
                    if case .array(let a) = v {
                        return !a.isEmpty && a.allSatisfy { if case .table = $0 { true } else { false } }
                    }
                    return false
                }
            if !onlyTables { out += "\n[\(p.map(quoteKey).joined(separator: "."))]\n" }
            body(t, path: p, into: &out)
        }
        for (key, elements) in arrays {
            let p = path + [key]
            for t in elements {
                out += "\n[[\(p.map(quoteKey).joined(separator: "."))]]\n"
                body(t, path: p, into: &out)
            }
        }
    }

    private static func isInline(_ t: ConfigTable) -> Bool {
        !t.isEmpty
            && t.entries.values.allSatisfy {
                switch $0 {
                case .integer, .bool: return true
                default: return false
                }
            }
    }

    /// A value written where it stands (after `key =`, inside an array or an inline table).
    public static func inline(_ value: ConfigValue) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .integer(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            let text = String(d)
            return text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? text : text + ".0"
        case .bool(let b): return b ? "true" : "false"
        case .dateTime(let s): return s
        case .array(let a): return "[" + a.map(inline).joined(separator: ", ") + "]"
        case .table(let t):
            return "{ " + t.keys.map { "\(quoteKey($0)) = \(inline(t[$0]!))" }.joined(separator: ", ") + " }"
        }
    }

    /// A bare key when it is one (letters, digits, `_`, `-`), a quoted key otherwise.
    public static func quoteKey(_ key: String) -> String {
        let bare =
            !key.isEmpty
            && key.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                    || $0 == 0x5F || $0 == 0x2D
            }
        return bare ? key : quote(key, multiline: false)
    }

    /// A TOML basic string (multi-line when `s` holds a newline) with every character that could
    /// end it or change its meaning escaped.
    public static func quote(_ s: String, multiline: Bool? = nil) -> String {
        let long = multiline ?? s.contains("\n")
        var out = long ? "\"\"\"\n" : "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += long ? "\n" : "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16, uppercase: true)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + (long ? "\"\"\"" : "\"")
    }
}
