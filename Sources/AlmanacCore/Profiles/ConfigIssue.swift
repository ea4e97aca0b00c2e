/// One problem found in a profile file: which file, which key, what was expected.
public struct ConfigIssue: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file as given to the loader (relative paths stay relative).
    public var file: String
    /// The key path, e.g. `jobs[0].window.past_days`; empty for whole-file problems.
    public var path: String
    public var code: ErrorCode
    public var message: String

    public init(file: String, path: String, code: ErrorCode, message: String) {
        self.file = file
        self.path = path
        self.code = code
        self.message = message
    }

    /// `clinic.toml: jobs[0].window.past_days: must be ≥ 0, got -3`
    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}

/// Collects issues while one profile is validated. A class so nested scopes can share it.
public final class Diagnostics {
    public let file: String
    public private(set) var issues: [ConfigIssue] = []

    public init(file: String) { self.file = file }

    public func report(_ code: ErrorCode, at path: String, _ message: String) {
        issues.append(ConfigIssue(file: file, path: path, code: code, message: message))
    }
}

/// A key path inside a profile, rendered as `connections.db.password_file` or `jobs[1].window`.
public struct KeyPath: Hashable, Sendable, CustomStringConvertible {
    public private(set) var description: String

    public init(_ root: String = "") { self.description = root }

    public func appending(_ key: String) -> KeyPath {
        let part =
            key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) && !key.isEmpty
            ? key : "\"\(key)\""
        return KeyPath(description.isEmpty ? part : description + "." + part)
    }

    public func index(_ i: Int) -> KeyPath { KeyPath(description + "[\(i)]") }
}
