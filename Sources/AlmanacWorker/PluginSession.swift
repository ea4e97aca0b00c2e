import AlmanacCore
import ExecConnector
import Foundation
import Logging

/// What a plugin says of itself (its `hello`), for `almanac connectors` and `almanac connector-test`.
public struct PluginDescription: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    public var protocolVersion: Int
    public var kinds: [String]
    /// As the plugin wrote them (`read`, `change_feed`, `test`, …).
    public var capabilities: [String]
    /// The event fields it declares; nil: every field.
    public var fields: [String]?
}

/// A plugin started outside any profile: asked for its `hello` (and `spec`), or run under the
/// conformance suite through the exec connector with the `test_*` messages. The only way the CLI
/// reaches the exec connector, which, like every connector module, only this module imports.
public final class PluginSession {
    /// The exec connector over the plugin, configured with the settings given.
    public let connector: any Connector
    private let exec: ExecConnector

    /// Starts `command`, reads its `hello`, asks its `spec` and says what it is, then shuts it down.
    /// - Throws: the exec connector's start and protocol errors (`exec.*`), naming the plugin.
    public static func describe(_ command: [String], startTimeout: Duration = .seconds(10))
        throws -> (PluginDescription, settings: [SettingSpec])
    {
        let process = try PluginProcess(
            PluginCommand(arguments: command, startTimeout: startTimeout, requestTimeout: startTimeout),
            logger: Logger(label: "almanac.plugin"))
        defer { process.shutdown() }
        let hello = process.hello!
        let description = PluginDescription(
            name: hello.name, version: hello.version, protocolVersion: hello.protocolVersion, kinds: hello.kinds,
            capabilities: hello.capabilityNames, fields: hello.fields.map { $0.map(\.rawValue).sorted() })
        let spec = try process.request("spec", reply: "spec")
        guard let schema = spec["settings"]?.object else {
            throw AlmanacError(.execBadSpec, "plugin \(process.label): its spec has no settings object; fix the plugin")
        }
        return (description, try PluginSpec(settings: schema, plugin: process.label).connection)
    }

    /// Starts `command` as the exec connector does for a connection whose other keys are
    /// `settings` (secrets as `KEY_file`, `KEY_env` or inline), configured for side `to` of a
    /// job named `conformance` in a profile named `connector-test`. Never pooled.
    /// - Throws: what `connector = "exec"` throws for such a connection.
    public init(command: [String], settings: ConfigTable, directory: URL, timeZone: TimeZone, logger: Logger) throws {
        var table = settings
        table["command"] = .array(command.map(ConfigValue.string))
        table["reuse"] = .bool(false)
        let context = ConnectorContext(
            profile: "connector-test", job: "conformance", side: .to, connectionName: "plugin", connection: table,
            jobSettings: ConfigTable(), timeZone: timeZone, stateDirectory: FileManager.default.temporaryDirectory,
            profileDirectory: directory, logger: logger)
        exec = try ExecModule.make(context) as! ExecConnector  // ExecModule makes nothing else
        connector = exec
    }

    /// The settings of an exec connection that almanac reads itself (`command`, `env`, timeouts…).
    public static var almanacSettings: [SettingSpec] { ExecModule.connectionSettings }

    /// Whether the plugin implements the `test_*` messages (capability `test`).
    public var supportsTests: Bool { exec.hello.supportsTests }

    /// Empties the plugin's store (`test_reset`).
    public func reset() throws { try exec.testReset() }

    /// Stores `events` bypassing the write path (`test_seed`); their keys, in order.
    public func seed(_ events: [Event]) throws -> [String] { try exec.testSeed(events) }

    /// Everything the plugin stores, by key (`test_dump`).
    public func dump() throws -> [String: Event] { try exec.testDump() }

    /// Adds one item the plugin cannot map (`test_seed_invalid`, optional); its key or locator.
    /// - Throws: `exec.plugin_error` when the plugin does not implement it.
    public func seedInvalid() throws -> String { try exec.testSeedInvalid() }
}
