import AlmanacCore
import Foundation
import Logging

/// `connector = "exec"`: a connector run as a plugin process speaking the connector protocol
/// (docs/CONNECTOR-PROTOCOL.md). almanac reads `command`, `env`, `working_directory`, the timeouts
/// and `reuse`; every other key belongs to the plugin, which says which in its `spec`.
public enum ExecModule: ConnectorModule {
    public static let kind = "exec"
    public static let summary = "a plugin program speaking the connector protocol on stdin/stdout"
    public static let connectionSettings = ExecSettings.specs
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []
    /// Whatever a plugin may carry: its hello says which (`settings(connection:)`).
    public static let itemKinds: Set<ItemKind> = [.events, .contacts]

    /// Without the plugin's hello nothing is known: validation asks the plugin (`settings(connection:)`).
    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed, .lookup, .writeBack]
    }

    public static func validate(connection: ConfigScope, profileFileIsPrivate: Bool) {
        if let command = connection.table.strings("command"), command.first?.isEmpty ?? true {
            connection.report(.configInvalidValue, "command", "must name the plugin's program")
        }
        for key in ["start_timeout", "request_timeout"] {
            if let d = connection.table.string(key).flatMap(parseDuration), d > .seconds(86_400) {
                connection.report(.configInvalidValue, key, "must be at most 1d")
            }
        }
    }

    /// Starts the plugin, reads its hello and asks for its `spec`: the settings `almanac check`
    /// holds the connection and its job tables to, and the kinds its hello declares.
    public static func settings(connection: ConfigScope) -> ConnectionSettings? {
        let directory = connection.directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        do {
            let settings = try ExecSettings(connection: connection.table, directory: directory)
            var quiet = Logger(label: "almanac.exec")
            quiet.logLevel = .warning  // the plugin's stderr while it is only asked for its spec
            let process = try PluginProcess(settings.command, logger: quiet)
            defer { process.shutdown() }
            let line = try process.request("spec", reply: "spec")
            guard let schema = line["settings"]?.object else {
                throw AlmanacError(
                    .execBadSpec, "plugin \(process.label): its spec has no settings object; fix the plugin")
            }
            let spec = try PluginSpec(settings: schema, plugin: process.label)
            return ConnectionSettings(
                connection: spec.connection, source: spec.job, target: spec.job,
                capabilities: process.hello.capabilities, kinds: process.hello.itemKinds)
        } catch {
            let e = error as? AlmanacError ?? AlmanacError(.execStartFailed, "\(error)")
            connection.report(e.code, "command", e.message)
            connection.allow(connection.table.keys)
            return nil
        }
    }

    public static func make(_ context: ConnectorContext) throws -> any Connector {
        let settings = try ExecSettings(connection: context.connection, directory: context.profileDirectory)
        var pluginSettings = JSONObject()
        for key in context.connection.keys where !ExecSettings.ownKeys.contains(key) {
            pluginSettings[key] = json(context.connection[key]!)
        }
        var job = JSONObject()
        for key in context.jobSettings.keys { job[key] = json(context.jobSettings[key]!) }
        pluginSettings["job"] = .object(job)
        var log = context.logger
        log[metadataKey: "connection"] = "\(context.connectionName)"
        let key = settings.reuse ? "\(context.profile)/\(context.connectionName)" : nil
        return try ExecConnector(command: settings.command, poolKey: key, logger: log) { spec in
            var secrets: [String: String] = [:]
            var shown = pluginSettings
            for name in spec.secretKeys {
                for k in Secrets.keys(for: name) { shown[k] = nil }
                if let value = try context.secret(name) { secrets[name] = value }
            }
            return ExecConnector.Configuration(
                profile: context.profile, connection: context.connectionName, side: context.side, settings: shown,
                secrets: secrets, timeZone: context.timeZone.identifier, kind: context.kind)
        }
    }

    /// A TOML value as JSON (a date-time as the string written).
    static func json(_ v: ConfigValue) -> JSONValue {
        switch v {
        case .string(let s): return .string(s)
        case .integer(let i): return .int(i)
        case .float(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .dateTime(let s): return .string(s)
        case .array(let a): return .array(a.map(json))
        case .table(let t):
            var o = JSONObject()
            for k in t.keys { o[k] = json(t[k]!) }
            return .object(o)
        }
    }
}
