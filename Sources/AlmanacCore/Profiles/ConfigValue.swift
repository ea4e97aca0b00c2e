/// A parsed TOML value, detached from the parser so it is `Sendable` and cheap to compare.
public indirect enum ConfigValue: Hashable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    /// A TOML date, time or date-time, kept as written (profiles use strings for times).
    case dateTime(String)
    case array([ConfigValue])
    case table(ConfigTable)

    /// The TOML type name, for "expected a string, got an integer".
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number"
        case .bool: return "a boolean"
        case .dateTime: return "a date/time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// A short rendering of a non-secret value for messages.
    public var shortDescription: String {
        switch self {
        case .string(let s): return "\"\(s.count > 60 ? String(s.prefix(57)) + "..." : s)\""
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return String(b)
        case .dateTime(let s): return s
        case .array(let a): return "an array of \(a.count)"
        case .table: return "a table"
        }
    }
}

/// A TOML table: keys to values. Key order is alphabetical (the parser does not keep file order).
public struct ConfigTable: Hashable, Sendable {
    public var entries: [String: ConfigValue]

    public init(_ entries: [String: ConfigValue] = [:]) { self.entries = entries }

    public subscript(key: String) -> ConfigValue? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    public var keys: [String] { entries.keys.sorted() }
    public var isEmpty: Bool { entries.isEmpty }

    public func string(_ key: String) -> String? {
        if case .string(let s)? = entries[key] { return s }
        return nil
    }

    public func integer(_ key: String) -> Int? {
        if case .integer(let i)? = entries[key] { return i }
        return nil
    }

    public func bool(_ key: String) -> Bool? {
        if case .bool(let b)? = entries[key] { return b }
        return nil
    }

    public func table(_ key: String) -> ConfigTable? {
        if case .table(let t)? = entries[key] { return t }
        return nil
    }

    public func strings(_ key: String) -> [String]? {
        guard case .array(let a)? = entries[key] else { return nil }
        var out: [String] = []
        for v in a {
            guard case .string(let s) = v else { return nil }
            out.append(s)
        }
        return out
    }
}
