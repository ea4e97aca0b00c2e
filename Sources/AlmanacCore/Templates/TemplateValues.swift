import Foundation

/// The values given for a template's parameters, checked against their declarations.
public enum TemplateValues {
    /// Why a value does not fit its parameter (never showing a secret).
    public struct Problem: Error, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// Turns a given value into the parameter's type: an integer or boolean parameter also takes
    /// its text (`--set past_days=7`). The failure says why, without the value of a secret.
    public static func coerce(_ value: ConfigValue, for p: ProfileTemplate.Parameter) -> Result<ConfigValue, Problem> {
        let typed: ConfigValue
        switch (p.kind, value) {
        case (.string, .string), (.integer, .integer), (.boolean, .bool): typed = value
        case (.integer, .string(let s)):
            guard let i = Int(s) else { return .failure(Problem("expected an integer, got \(shown(value, p))")) }
            typed = .integer(i)
        case (.boolean, .string(let s)):
            guard s == "true" || s == "false" else {
                return .failure(Problem("expected true or false, got \(shown(value, p))"))
            }
            typed = .bool(s == "true")
        default:
            let expected = p.kind == .string ? "a string" : p.kind == .integer ? "an integer" : "a boolean"
            return .failure(Problem("expected \(expected), got \(value.typeName)"))
        }
        if let pattern = p.pattern, let re = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") {
            let text = text(of: typed)
            if re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                return .failure(Problem("must match \(pattern), got \(shown(typed, p))"))
            }
        }
        if case .string(let s) = typed, s.unicodeScalars.contains(where: { $0.value == 0 }) {
            return .failure(Problem("must not contain a NUL character"))
        }
        return .success(typed)
    }

    /// The text a value takes inside a longer string.
    static func text(of value: ConfigValue) -> String {
        switch value {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        default: return value.shortDescription
        }
    }

    private static func shown(_ value: ConfigValue, _ p: ProfileTemplate.Parameter) -> String {
        p.secret ? "a value (not shown: secret)" : value.shortDescription
    }

    /// Checks `values` and `secrets` against `template`: every problem, each naming the template
    /// and the parameter, with the key `values.NAME` or `secrets.NAME`. Returns the values to
    /// render (defaults filled in, bad ones left out).
    public static func check(
        _ template: ProfileTemplate, values: [String: ConfigValue], secrets: [String: [UInt8]], file: String
    ) -> (values: [String: ConfigValue], secrets: [String: [UInt8]], problems: [ConfigIssue]) {
        var problems: [ConfigIssue] = []
        func report(_ code: ErrorCode, _ key: String, _ message: String) {
            problems.append(
                ConfigIssue(file: file, path: key, code: code, message: "template \(template.name): \(message)"))
        }
        var good: [String: ConfigValue] = [:]
        var goodSecrets: [String: [UInt8]] = [:]
        for key in values.keys.sorted() {
            guard let p = template.parameter(key) else {
                var msg = "no parameter named \(key)"
                if let near = closestMatch(to: key, in: template.parameters.map(\.name)) {
                    msg += " (did you mean \"\(near)\"?)"
                }
                report(.templateUnknownParameter, "values.\(key)", msg)
                continue
            }
            if p.secret {
                report(
                    .templateInvalidValue, "values.\(key)",
                    "parameter \(key) is a secret: give it as a secret (--secret), not a value")
                continue
            }
            switch coerce(values[key]!, for: p) {
            case .success(let v): good[key] = v
            case .failure(let why): report(.templateInvalidValue, "values.\(key)", "parameter \(key): \(why.message)")
            }
        }
        for key in secrets.keys.sorted() {
            guard let p = template.parameter(key) else {
                report(.templateUnknownParameter, "secrets.\(key)", "no parameter named \(key)")
                continue
            }
            guard p.secret else {
                report(
                    .templateInvalidValue, "secrets.\(key)",
                    "parameter \(key) is not a secret: give it as a value (--set)")
                continue
            }
            if secrets[key]!.isEmpty {
                report(.templateInvalidValue, "secrets.\(key)", "parameter \(key): the secret is empty")
                continue
            }
            goodSecrets[key] = secrets[key]!
        }
        for p in template.parameters where values[p.name] == nil && secrets[p.name] == nil {
            if let d = p.defaultValue {
                good[p.name] = d
            } else if p.required {
                let how = p.secret ? "secret" : "value"
                let desc = p.description.isEmpty ? "" : " (\(p.description))"
                report(
                    .templateMissingValue, "\(how)s.\(p.name)",
                    "parameter \(p.name)\(desc) is required: give it a \(how)")
            }
        }
        return (good, goodSecrets, problems)
    }
}
