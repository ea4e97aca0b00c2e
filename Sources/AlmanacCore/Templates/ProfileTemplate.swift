import Foundation

/// A profile template: `templates.d/NAME.toml`, a profile whose string values may hold
/// `{{PARAMETER}}` placeholders, plus a `[template]` table declaring each parameter (README
/// "Templates"). `almanac new` and `POST /v1/profiles` render one into a profile.
public struct ProfileTemplate: Sendable, Hashable {
    /// One declared parameter: `[template.parameters.NAME]`.
    public struct Parameter: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable { case string, integer, boolean }

        public var name: String
        public var description: String
        public var required: Bool
        public var defaultValue: ConfigValue?
        /// A secret is never written into the profile: its value goes to `STATE/secrets/PROFILE/NAME`
        /// and the placeholder becomes that file's path.
        public var secret: Bool
        public var kind: Kind
        /// A regular expression the whole value (its text) must match.
        public var pattern: String?
    }

    public var name: String
    public var description: String
    public var path: String
    /// The parameters in name order.
    public var parameters: [Parameter]
    /// The profile part: every key but `template`.
    public var body: ConfigTable

    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Template names: 1 to 64 letters, digits, `-` and `_`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.first.map(isAlnum) == true
            && name.utf8.allSatisfy { isAlnum($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// Parameter names: 1 to 64 lower-case letters, digits and `_`, starting with a letter.
    public static func isValidParameterName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.first.map { $0 >= 0x61 && $0 <= 0x7A } == true
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// Reads and checks a template file. Every problem of the `[template]` table is reported
    /// (`template.invalid`, with the key path); the profile part is checked only when rendered.
    public static func load(path: String) -> Result<ProfileTemplate, ProfileErrors> {
        let fileName = (path as NSString).lastPathComponent
        let name = fileName.hasSuffix(".toml") ? String(fileName.dropLast(5)) : fileName
        let diagnostics = Diagnostics(file: path)
        guard isValidName(name) else {
            diagnostics.report(
                .templateInvalid, at: "",
                "not a template file name: NAME.toml with NAME of letters, digits, '-' and '_', got \"\(fileName)\"")
            return .failure(ProfileErrors(diagnostics.issues))
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            diagnostics.report(.templateNotFound, at: "", "cannot read the template \(name): check that \(path) exists")
            return .failure(ProfileErrors(diagnostics.issues))
        }
        var table: ConfigTable
        switch TOMLReader.parse(text, file: path) {
        case .success(let t): table = t
        case .failure(let issue): return .failure(ProfileErrors([issue]))
        }
        guard case .table(let header)? = table["template"] else {
            diagnostics.report(.templateInvalid, at: "template", "a template needs a [template] table")
            return .failure(ProfileErrors(diagnostics.issues))
        }
        table["template"] = nil
        let scope = ConfigScope(header, path: KeyPath("template"), diagnostics: diagnostics)
        let description = scope.string("description") ?? ""
        var parameters: [Parameter] = []
        if let params = scope.table("parameters") {
            for key in params.table.keys {
                guard let p = params.table(key) else { continue }
                if !isValidParameterName(key) {
                    params.report(.templateInvalid, key, "parameter names use lower-case letters, digits and '_'")
                }
                if let parameter = Self.parameter(key, p) { parameters.append(parameter) }
            }
        }
        scope.finish()
        let issues = diagnostics.issues.map {
            ConfigIssue(file: $0.file, path: $0.path, code: .templateInvalid, message: $0.message)
        }
        guard issues.isEmpty else { return .failure(ProfileErrors(issues)) }
        return .success(
            ProfileTemplate(name: name, description: description, path: path, parameters: parameters, body: table))
    }

    private static func parameter(_ name: String, _ scope: ConfigScope) -> Parameter? {
        defer { scope.finish() }
        let before = scope.diagnostics.issues.count
        let description = scope.string("description") ?? ""
        let secret = scope.bool("secret") ?? false
        let kind = scope.choice("type", Parameter.Kind.allCases.map(\.rawValue)).flatMap(Parameter.Kind.init) ?? .string
        let pattern = scope.string("pattern")
        if let pattern, (try? NSRegularExpression(pattern: pattern)) == nil {
            scope.report(.templateInvalid, "pattern", "not a regular expression")
        }
        _ = scope.has("default")
        let defaultValue = scope.table["default"]
        if secret && defaultValue != nil {
            scope.report(.templateInvalid, "default", "a secret parameter has no default")
        }
        let required = scope.bool("required") ?? (defaultValue == nil)
        let parameter = Parameter(
            name: name, description: description, required: required, defaultValue: nil, secret: secret, kind: kind,
            pattern: pattern)
        var out = parameter
        if let defaultValue {
            switch TemplateValues.coerce(defaultValue, for: parameter) {
            case .success(let v): out.defaultValue = v
            case .failure(let why): scope.report(.templateInvalid, "default", why.message)
            }
        }
        return scope.diagnostics.issues.count == before ? out : nil
    }

    /// Every `*.toml` template of `directory` (sorted by name); a missing directory has none.
    public static func loadDirectory(_ directory: String) -> [Result<ProfileTemplate, ProfileErrors>] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") && $0.hasSuffix(".toml") }.map {
            load(path: (directory as NSString).appendingPathComponent($0))
        }
    }
}
