import Foundation

/// Secrets are named by a setting `KEY` and given as `KEY_file` (a path whose content is the
/// secret, trailing newline dropped), `KEY_env` (an environment variable's name) or, only in a
/// profile file that its owner alone can read, inline as `KEY`.
public enum Secrets {
    /// The settings that may carry the secret `key`.
    public static func keys(for key: String) -> [String] { [key, key + "_file", key + "_env"] }

    /// Reads the secret. Returns nil when none of the forms is set. Errors name the file or the
    /// variable, never the value.
    public static func resolve(
        _ key: String, in table: ConfigTable, relativeTo directory: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        where place: String
    ) throws -> String? {
        if let path = table.string(key + "_file") {
            let url = URL(fileURLWithPath: path, relativeTo: directory)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw AlmanacError(
                    .configSecretMissing,
                    "\(place): \(key)_file: cannot read \(url.path): check that it exists and that the daemon's user can read it"
                )
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        if let name = table.string(key + "_env") {
            guard let v = environment[name] else {
                throw AlmanacError(
                    .configSecretMissing,
                    "\(place): \(key)_env: the environment variable \(name) is not set for this process")
            }
            return v
        }
        return table.string(key)
    }

    /// Checks the forms of the secret `key` in `scope`: at most one form, inline only in a
    /// private file, `_file` must exist. Never reports the value.
    public static func validate(
        _ key: String, in scope: ConfigScope, required: Bool, fileIsPrivate: Bool,
        relativeTo directory: URL
    ) {
        let present = keys(for: key).filter { scope.has($0) }
        if present.count > 1 {
            scope.report(
                .configInvalidValue, present[1],
                "give the secret once: \(present.joined(separator: " and ")) are both set")
        }
        if present.isEmpty && required {
            scope.report(.configMissingKey, key + "_file", "is required (or \(key)_env)")
        }
        if scope.table[key] != nil {
            if case .string = scope.table[key]! {
                if !fileIsPrivate {
                    scope.report(
                        .configInlineSecret, key,
                        "inline secret in a file that group or others can read: move it to \(key)_file or \(key)_env, or chmod 600 the profile"
                    )
                }
            } else {
                scope.report(.configType, key, "expected a string, got \(scope.table[key]!.typeName)")
            }
        }
        if let path = scope.string(key + "_file") {
            let url = URL(fileURLWithPath: path, relativeTo: directory)
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) {
                scope.report(.configSecretMissing, key + "_file", "\(url.path) does not exist")
            } else if isDir.boolValue {
                scope.report(.configSecretMissing, key + "_file", "\(url.path) is a directory, not a file")
            } else if !FileManager.default.isReadableFile(atPath: url.path) {
                scope.report(.configSecretMissing, key + "_file", "\(url.path) is not readable by this user")
            }
        }
        if let name = scope.string(key + "_env"), !isEnvironmentName(name) {
            scope.report(.configInvalidValue, key + "_env", "\"\(name)\" is not a valid environment variable name")
        }
    }

    static func isEnvironmentName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first,
            first == "_" || (first.isASCII && CharacterSet.letters.contains(first))
        else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }
}
