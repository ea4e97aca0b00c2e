/// Fills a template's placeholders with values, as typed values in the parsed table (never as text
/// spliced into TOML).
///
/// A string that is exactly `{{p}}` becomes p's value with its type (a secret: its file's path);
/// when p has no value (optional, no default) the key, or the array element, is left out. A
/// string holding `{{p}}` among other text gets p's text in its place (empty when p has none).
/// A `{{name}}` that is not a declared parameter (a job's `title_template` fields) is left as
/// written. Keys are never templated. One pass: a value holding `{{other}}` stays literal.
public struct TemplateRenderer: Sendable {
    public let template: ProfileTemplate
    /// Values by parameter (already checked), secrets by parameter as the path of their file.
    public let values: [String: ConfigValue]

    public init(template: ProfileTemplate, values: [String: ConfigValue], secretPaths: [String: String]) {
        self.template = template
        var all = values
        for (k, path) in secretPaths { all[k] = .string(path) }
        self.values = all
    }

    /// The rendered table and, per key path filled from parameters, their names (for messages).
    public func render() -> (table: ConfigTable, parameters: [String: [String]]) {
        var used: [String: [String]] = [:]
        let table = renderTable(template.body, path: KeyPath(), used: &used)
        return (table, used)
    }

    private func renderTable(_ t: ConfigTable, path: KeyPath, used: inout [String: [String]]) -> ConfigTable {
        var out = ConfigTable()
        for key in t.keys {
            if let v = renderValue(t[key]!, path: path.appending(key), used: &used) { out[key] = v }
        }
        return out
    }

    private func renderValue(_ v: ConfigValue, path: KeyPath, used: inout [String: [String]]) -> ConfigValue? {
        switch v {
        case .table(let t): return .table(renderTable(t, path: path, used: &used))
        case .array(let a):
            return .array(a.enumerated().compactMap { renderValue($1, path: path.index($0), used: &used) })
        case .string(let s): return renderString(s, path: path, used: &used)
        default: return v
        }
    }

    private func renderString(_ s: String, path: KeyPath, used: inout [String: [String]]) -> ConfigValue? {
        guard s.contains("{{") else { return .string(s) }
        if s.hasPrefix("{{"), s.hasSuffix("}}"), let p = template.parameter(String(s.dropFirst(2).dropLast(2))) {
            used[path.description, default: []].append(p.name)
            return values[p.name]
        }
        var out = ""
        var rest = Substring(s)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                out += rest[open.lowerBound...]
                rest = ""
                break
            }
            let name = String(after[..<close.lowerBound])
            if template.parameter(name) != nil {
                used[path.description, default: []].append(name)
                out += values[name].map(TemplateValues.text(of:)) ?? ""
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = after[close.upperBound...]
        }
        out += rest
        return .string(out)
    }
}
