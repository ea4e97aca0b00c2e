import AlmanacCore

/// `almanac check --json` output (stable; documented in the README).
///
/// ```json
/// {"v":1,"valid":false,"profiles":[{"name":"clinic","file":"profiles.d/clinic.toml","valid":false,
///   "errors":[{"code":"config.unknown_key","path":"jobs[0].windw","message":"unknown key (did you mean \"window\"?)"}]}]}
/// ```
public struct CheckReport: Codable, Sendable, Hashable {
    public struct Entry: Codable, Sendable, Hashable {
        public var name: String
        public var file: String
        public var valid: Bool
        public var errors: [Problem]
        public init(name: String, file: String, valid: Bool, errors: [Problem]) {
            self.name = name
            self.file = file
            self.valid = valid
            self.errors = errors
        }
    }

    public struct Problem: Codable, Sendable, Hashable {
        public var code: String
        public var path: String
        public var message: String
        public init(_ issue: ConfigIssue) {
            code = issue.code.rawValue
            path = issue.path
            message = issue.message
        }
    }

    public var v: Int = Wire.version
    public var valid: Bool
    public var profiles: [Entry]

    public init(profiles: [Entry]) {
        self.profiles = profiles
        self.valid = profiles.allSatisfy(\.valid)
    }
}
