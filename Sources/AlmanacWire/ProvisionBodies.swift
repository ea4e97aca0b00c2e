import AlmanacCore
import Foundation

/// A refused request with every problem found: `422` of `POST /v1/profiles` and `PUT …/schedule`.
public struct ProblemResult: Codable, Sendable, Hashable {
    public struct Problem: Codable, Sendable, Hashable {
        public var code: ErrorCode
        public var message: String
        /// The key path (`values.calendar_id`, `schedule.every`, `jobs[0].window.past_days`).
        public var key: String

        public init(code: ErrorCode, message: String, key: String) {
            self.code = code
            self.message = message
            self.key = key
        }
    }

    public var v: Int = Wire.version
    public var ok = false
    public var message: String
    public var code: ErrorCode
    public var problems: [Problem]

    public init(message: String, code: ErrorCode, problems: [Problem]) {
        self.message = message
        self.code = code
        self.problems = problems
    }
}

/// A string, integer or boolean: a template parameter's default or a given value.
public enum WireScalar: Codable, Sendable, Hashable {
    case string(String), integer(Int), bool(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .integer(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        case .bool(let b): try c.encode(b)
        }
    }
}

/// `GET /v1/templates/NAME`, and each entry of `GET /v1/templates`.
public struct TemplateInfo: Codable, Sendable, Hashable {
    public struct Parameter: Codable, Sendable, Hashable {
        public var name: String
        public var description: String
        /// `string`, `integer` or `boolean`.
        public var type: String
        public var required: Bool
        public var secret: Bool
        public var `default`: WireScalar?
        public var pattern: String?

        public init(
            name: String, description: String, type: String, required: Bool, secret: Bool, default: WireScalar?,
            pattern: String?
        ) {
            self.name = name
            self.description = description
            self.type = type
            self.required = required
            self.secret = secret
            self.default = `default`
            self.pattern = pattern
        }
    }

    public var name: String
    public var description: String
    public var parameters: [Parameter]

    public init(name: String, description: String, parameters: [Parameter]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// `GET /v1/templates`: the valid templates, and the problems of the files that are not.
public struct TemplateList: Codable, Sendable, Hashable {
    public var v: Int = Wire.version
    public var templates: [TemplateInfo]
    public var problems: [ProblemResult.Problem]

    public init(templates: [TemplateInfo], problems: [ProblemResult.Problem]) {
        self.templates = templates
        self.problems = problems
    }
}
