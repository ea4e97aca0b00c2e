import Foundation

/// ODBC connection-string syntax: `KEY=value;` pairs, values optionally in braces, where `}}`
/// inside braces is a literal `}`.
public enum ODBCConnectionString {
    /// The attribute keys, lowercased, in order.
    public static func keys(in string: String) -> [String] { pairs(in: string).map(\.key) }

    /// The `(lowercased key, value)` pairs, braces removed and `}}` unescaped.
    public static func pairs(in string: String) -> [(key: String, value: String)] {
        var out: [(String, String)] = []
        var rest = Substring(string)
        while !rest.isEmpty {
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = ""
            var braced = false
            if rest.first == "{" {
                braced = true
                var i = rest.index(after: rest.startIndex)
                while i < rest.endIndex {
                    if rest[i] == "}" {
                        let next = rest.index(after: i)
                        if next < rest.endIndex && rest[next] == "}" {
                            value.append("}")
                            i = rest.index(after: next)
                            continue
                        }
                        break
                    }
                    value.append(rest[i])
                    i = rest.index(after: i)
                }
                rest = i < rest.endIndex ? rest[rest.index(after: i)...] : ""
                if let semi = rest.firstIndex(of: ";") { rest = rest[rest.index(after: semi)...] } else { rest = "" }
            } else if let semi = rest.firstIndex(of: ";") {
                value = String(rest[..<semi])
                rest = rest[rest.index(after: semi)...]
            } else {
                value = String(rest)
                rest = ""
            }
            if !key.isEmpty { out.append((key, braced ? value : value.trimmingCharacters(in: .whitespaces))) }
        }
        return out
    }

    /// The value of `key` (case-insensitive), if present.
    public static func value(of key: String, in string: String) -> String? {
        pairs(in: string).last { $0.key == key.lowercased() }?.value
    }

    /// Quotes `value` for a connection string: in braces when it has `;`, `{`, `}`, `=` or
    /// surrounding spaces, with each `}` doubled.
    public static func quote(_ value: String) -> String {
        let needsBraces =
            value.contains(where: { ";{}=".contains($0) }) || value.first == " " || value.last == " "
            || value.isEmpty
        guard needsBraces else { return value }
        return "{" + value.replacingOccurrences(of: "}", with: "}}") + "}"
    }

    /// `string` with `KEY=value;` appended, the value quoted.
    public static func appending(_ key: String, _ value: String, to string: String) -> String {
        var s = string.trimmingCharacters(in: .whitespaces)
        if !s.isEmpty && !s.hasSuffix(";") { s += ";" }
        return s + key + "=" + quote(value) + ";"
    }
}
