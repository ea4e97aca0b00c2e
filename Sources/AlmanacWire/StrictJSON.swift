import AlmanacCore
import Foundation

/// A JSON value read strictly: request bodies of the control API are decoded into this first, so
/// an unknown field is refused with its name and a wrong type with its key.
public indirect enum JSONValue: Decodable, Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .integer(i)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// The JSON type, for "expected a string, got a number".
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Why a body was refused (400 `api.bad_request`): the message names the field.
    public struct BodyError: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Decodes `bytes` as one JSON object whose keys are all in `allowed`. An empty body is `{}`.
    /// - Throws: `BodyError` naming the first unknown field, or saying the body is not a JSON object.
    public static func object(_ bytes: [UInt8], allowed: Set<String>) throws(BodyError) -> [String: JSONValue] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        if let problem = JSONGrammar.problem(bytes) { throw BodyError("the body is not valid JSON: \(problem)") }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            throw BodyError("the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw BodyError("the body must be a JSON object, got \(value.typeName)")
        }
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw BodyError("unknown field \(quoted(key)); known: \(allowed.sorted().joined(separator: ", "))")
        }
        return object
    }

    /// A field name quoted for a message (escaped, at most 64 characters).
    public static func quoted(_ s: String) -> String {
        var bytes: [UInt8] = []
        JSONString.append(String(s.prefix(64)), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
