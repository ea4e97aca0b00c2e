import AlmanacCore

/// A plugin's `spec` (docs/CONNECTOR-PROTOCOL.md §3.2) as the settings `almanac check` validates:
/// the connection's properties, the job table's (`properties.job.properties`), and which are secret.
public struct PluginSpec: Sendable {
    public var connection: [SettingSpec]
    public var job: [SettingSpec]
    /// The connection properties marked `"secret": true`, resolved by almanac for `configure`.
    public var secretKeys: [String]

    /// - Throws: `exec.bad_spec` naming the property that cannot be used.
    public init(settings: JSONObject, plugin: String) throws {
        func bad(_ why: String) -> AlmanacError {
            AlmanacError(.execBadSpec, "plugin \(plugin): its spec cannot be used: \(why); fix the plugin")
        }
        guard settings.string("type") == "object", let props = settings["properties"]?.object else {
            throw bad("settings must be a JSON Schema object with properties")
        }
        if settings["additionalProperties"]?.bool == true { throw bad("additionalProperties must be false or absent") }
        let required = Set(settings["required"]?.array?.compactMap(\.string) ?? [])
        connection = []
        job = []
        secretKeys = []
        for (key, value) in zip(props.keys, props.values) {
            guard let p = value.object else { throw bad("property \(key) is not an object") }
            if ExecSettings.ownKeys.contains(key) { throw bad("property \(key) is a key almanac reads itself") }
            if key == "job" {
                guard let jobProps = p["properties"]?.object else { throw bad("property job has no properties") }
                let jobRequired = Set(p["required"]?.array?.compactMap(\.string) ?? [])
                for (k, v) in zip(jobProps.keys, jobProps.values) {
                    guard let jp = v.object else { throw bad("property job.\(k) is not an object") }
                    job.append(try Self.spec(k, jp, required: jobRequired.contains(k), secretAllowed: false, bad))
                }
                continue
            }
            let spec = try Self.spec(key, p, required: required.contains(key), secretAllowed: true, bad)
            if case .secret = spec.kind { secretKeys.append(key) }
            connection.append(spec)
        }
    }

    private static func spec(
        _ key: String, _ p: JSONObject, required: Bool, secretAllowed: Bool, _ bad: (String) -> AlmanacError
    ) throws -> SettingSpec {
        let summary = p.string("description") ?? ""
        let kind: SettingSpec.Kind
        switch p.string("type") {
        case "string":
            if p["secret"]?.bool == true {
                guard secretAllowed else { throw bad("job.\(key): secrets belong in the connection") }
                kind = .secret
            } else if let options = p["enum"]?.array {
                kind = .choice(options.compactMap(\.string))
            } else {
                kind = .string
            }
        case "integer":
            let low = p["minimum"]?.int ?? Int.min, high = p["maximum"]?.int ?? Int.max
            guard low <= high else { throw bad("property \(key): minimum above maximum") }
            kind = .integer(low...high)
        case "boolean": kind = .bool
        case "array": kind = .strings
        case "object": kind = .stringTable
        default:
            throw bad(
                "property \(key) has type \(p.string("type") ?? "none"); use string, integer, boolean, array or object")
        }
        return SettingSpec(key, kind, required: required, summary)
    }
}
