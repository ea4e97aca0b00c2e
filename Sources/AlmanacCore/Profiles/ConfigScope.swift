import Foundation

/// Typed, path-aware access to one table of a profile.
///
/// Every accessor records the key as known; `finish()` reports the keys that no accessor asked
/// for as `config.unknown_key`, with a suggestion when one is close. Type and range errors are
/// reported once, with the key path, and the accessor returns nil so validation can go on.
public final class ConfigScope {
    public let table: ConfigTable
    public let path: KeyPath
    public let diagnostics: Diagnostics
    /// The profile's directory, against which settings naming files are resolved (set for
    /// connection tables, so a module's `validate` can read a file a setting names).
    public var directory: URL?
    private var known: Set<String> = []

    public init(_ table: ConfigTable, path: KeyPath, diagnostics: Diagnostics) {
        self.table = table
        self.path = path
        self.diagnostics = diagnostics
    }

    public func keyPath(_ key: String) -> String { path.appending(key).description }

    /// Marks keys as allowed without reading them (read elsewhere, e.g. by a connector).
    public func allow(_ keys: some Sequence<String>) { known.formUnion(keys) }

    public func has(_ key: String) -> Bool {
        known.insert(key)
        return table[key] != nil
    }

    public func report(_ code: ErrorCode, _ key: String, _ message: String) {
        diagnostics.report(code, at: keyPath(key), message)
    }

    private func value(_ key: String, required: Bool) -> ConfigValue? {
        known.insert(key)
        guard let v = table[key] else {
            if required { report(.configMissingKey, key, "is required") }
            return nil
        }
        return v
    }

    private func mismatch(_ key: String, expected: String, got: ConfigValue, secret: Bool = false) {
        let shown = secret ? "" : " (\(got.shortDescription))"
        report(.configType, key, "expected \(expected), got \(got.typeName)\(shown)")
    }

    public func string(_ key: String, required: Bool = false, secret: Bool = false) -> String? {
        guard let v = value(key, required: required) else { return nil }
        guard case .string(let s) = v else { mismatch(key, expected: "a string", got: v, secret: secret); return nil }
        if required && s.unicodeScalars.allSatisfy(Self.isWhitespace) {
            report(.configInvalidValue, key, "must not be empty")
            return nil
        }
        return s
    }

    /// `CharacterSet.whitespaces` (tab and the space separators) without Foundation's NSString
    /// bridging, which was a tenth of a worker's start-up CPU (every required string is checked).
    private static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || (c.value >= 0x80 && c.properties.generalCategory == .spaceSeparator)
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let v = value(key, required: required) else { return nil }
        guard case .bool(let b) = v else { mismatch(key, expected: "true or false", got: v); return nil }
        return b
    }

    public func integer(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        guard let v = value(key, required: required) else { return nil }
        guard case .integer(let i) = v else { mismatch(key, expected: "an integer", got: v); return nil }
        if let range, !range.contains(i) {
            let bound =
                i < range.lowerBound && (range.lowerBound <= 1 || range.upperBound == .max)
                ? "must be ≥ \(range.lowerBound)" : "must be between \(range.lowerBound) and \(range.upperBound)"
            report(.configInvalidValue, key, "\(bound), got \(i)")
            return nil
        }
        return i
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String], required: Bool = false) -> String? {
        guard let s = string(key, required: required) else { return nil }
        guard choices.contains(s) else {
            var msg = "must be one of \(choices.joined(separator: ", ")), got \"\(s)\""
            if let near = closestMatch(to: s, in: choices) { msg += " (did you mean \"\(near)\"?)" }
            report(.configInvalidValue, key, msg)
            return nil
        }
        return s
    }

    public func strings(_ key: String, required: Bool = false) -> [String]? {
        guard let v = value(key, required: required) else { return nil }
        guard case .array(let a) = v else { mismatch(key, expected: "an array of strings", got: v); return nil }
        var out: [String] = []
        for (i, e) in a.enumerated() {
            guard case .string(let s) = e else {
                diagnostics.report(
                    .configType, at: path.appending(key).index(i).description,
                    "expected a string, got \(e.typeName)")
                return nil
            }
            out.append(s)
        }
        return out
    }

    /// A duration such as `90s`, `5m`, `1h30m`, `2d`.
    public func duration(_ key: String, required: Bool = false) -> Duration? {
        guard let s = string(key, required: required) else { return nil }
        guard let d = parseDuration(s) else {
            report(
                .configInvalidValue, key, "expected a duration like \"90s\", \"15m\", \"1h30m\" or \"1d\", got \"\(s)\""
            )
            return nil
        }
        return d
    }

    /// A nested table as its own scope (nil when absent or not a table).
    public func table(_ key: String, required: Bool = false) -> ConfigScope? {
        guard let v = value(key, required: required) else { return nil }
        guard case .table(let t) = v else { mismatch(key, expected: "a table", got: v); return nil }
        return ConfigScope(t, path: path.appending(key), diagnostics: diagnostics)
    }

    /// An array of tables (`[[jobs]]`) as scopes.
    public func tables(_ key: String) -> [ConfigScope] {
        guard let v = value(key, required: false) else { return [] }
        guard case .array(let a) = v else {
            mismatch(key, expected: "an array of tables ([[\(key)]])", got: v); return []
        }
        var out: [ConfigScope] = []
        for (i, e) in a.enumerated() {
            guard case .table(let t) = e else {
                diagnostics.report(
                    .configType, at: path.appending(key).index(i).description,
                    "expected a table, got \(e.typeName)")
                continue
            }
            out.append(ConfigScope(t, path: path.appending(key).index(i), diagnostics: diagnostics))
        }
        return out
    }

    /// Reports every key of this table that no accessor asked for.
    public func finish() {
        for key in table.keys where !known.contains(key) {
            var msg = "unknown key"
            if let near = closestMatch(to: key, in: known) { msg += " (did you mean \"\(near)\"?)" }
            report(.configUnknownKey, key, msg)
        }
    }
}

/// Parses `90s`, `15m`, `1h30m`, `2d`, `1d12h` into a Duration; nil when malformed or zero-length text.
public func parseDuration(_ text: String) -> Duration? {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
    var total: Int64 = 0
    var digits = ""
    var sawUnit = false
    for ch in text.trimmingCharacters(in: .whitespaces) {
        if ch.isASCII && ch.isNumber {
            digits.append(ch)
        } else if let mult = units[ch], let n = Int64(digits), n <= 1_000_000 {
            total += n * mult
            digits = ""
            sawUnit = true
        } else {
            return nil
        }
    }
    guard digits.isEmpty, sawUnit else { return nil }
    return .seconds(total)
}

extension Duration {
    /// Whole seconds, for scheduling arithmetic.
    public var wholeSeconds: Int64 { components.seconds }

    /// `1h30m`, `45s`, the inverse of `parseDuration`.
    public var compactDescription: String {
        var s = wholeSeconds
        if s == 0 { return "0s" }
        var out = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where s >= size {
            out += "\(s / size)\(unit)"
            s %= size
        }
        return out
    }
}
