import Foundation

/// The CSV codec of the tests' own stores (`CSVConformanceTests.Store`, `CSVContactsStore`),
/// independent of the connector: every field quoted on the way in, RFC 4180 rules on the way out.
enum TestCSV {
    /// One record, every field quoted, ended by CRLF.
    static func line(_ values: [String]) -> String {
        values.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\r\n"
    }

    /// The records of the file at `url` after its header, each by header name; records with
    /// another number of fields than the header are left out.
    static func records(_ url: URL) throws -> [[String: String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [[String]] = [[]]
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                rows[rows.count - 1].append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                rows[rows.count - 1].append(field); field = ""; rows.append([])
            } else {
                field.append(c)
            }
        }
        let names = rows.removeFirst()
        return rows.filter { $0.count == names.count }.map {
            Dictionary(zip(names, $0), uniquingKeysWith: { a, _ in a })
        }
    }
}
