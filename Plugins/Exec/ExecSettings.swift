import AlmanacCore
import Foundation

/// The keys of an `exec` connection that almanac reads itself; every other key goes to the plugin.
struct ExecSettings {
    static let ownKeys: Set<String> = [
        "command", "env", "working_directory", "start_timeout", "request_timeout", "reuse",
    ]

    static let specs: [SettingSpec] = [
        SettingSpec(
            "command", .strings, required: true,
            "the plugin's program and arguments; a relative program path is resolved against the profile's directory"),
        SettingSpec("env", .stringTable, "variables set for the plugin (almanac's own environment is not passed on)"),
        SettingSpec("working_directory", .string, "the plugin's working directory (default: the profile's directory)"),
        SettingSpec("start_timeout", .duration, "how long the plugin may take to say hello (default 10s)"),
        SettingSpec("request_timeout", .duration, "how long it may take for each line of an answer (default 60s)"),
        SettingSpec("reuse", .bool, "keep the plugin running between runs while the worker lives (default true)"),
    ]

    var command: PluginCommand
    var reuse: Bool

    /// Reads the settings of `connection` (already validated), resolving paths against `directory`.
    /// - Throws: `config.invalid_value` for an empty command.
    init(connection: ConfigTable, directory given: URL) throws {
        let directory = URL(fileURLWithPath: given.path, isDirectory: true)
        guard var args = connection.strings("command"), let program = args.first, !program.isEmpty else {
            throw AlmanacError(.configInvalidValue, "command must name the plugin's program")
        }
        if !program.hasPrefix("/") {
            args[0] = URL(fileURLWithPath: program, relativeTo: directory).standardizedFileURL.path
        }
        var env: [String: String] = [:]
        for (k, v) in connection.table("env")?.entries ?? [:] { if case .string(let s) = v { env[k] = s } }
        let dir = connection.string("working_directory").map {
            URL(fileURLWithPath: $0, relativeTo: directory).standardizedFileURL.path
        }
        command = PluginCommand(
            arguments: args, environment: env, workingDirectory: dir ?? directory.path,
            startTimeout: connection.string("start_timeout").flatMap(parseDuration)
                ?? PluginCommand.defaultStartTimeout,
            requestTimeout: connection.string("request_timeout").flatMap(parseDuration)
                ?? PluginCommand.defaultRequestTimeout)
        reuse = connection.bool("reuse") ?? true
    }
}
