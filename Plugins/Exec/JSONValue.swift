/// A JSON value as the connector protocol carries it. Objects keep their members in the order
/// written, looked up by a linear scan: protocol objects have a handful of members, and a scan
/// over a few short keys costs less than hashing them into a dictionary.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var int: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// A number, integer or not.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var object: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A JSON object: its members in order. A key written twice is found at its first occurrence.
public struct JSONObject: Sendable, Equatable {
    public var keys: [String]
    public var values: [JSONValue]

    public init() {
        keys = []
        values = []
    }

    public init(_ members: KeyValuePairs<String, JSONValue>) {
        keys = members.map(\.key)
        values = members.map(\.value)
    }

    public subscript(key: String) -> JSONValue? {
        get {
            for i in keys.indices where keys[i] == key { return values[i] }
            return nil
        }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// A string member; nil when absent, null or not a string.
    public func string(_ key: String) -> String? { self[key]?.string }
}
