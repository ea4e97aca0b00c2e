import AlmanacCore
import Foundation

/// How to start a plugin: its command line, environment, working directory and time limits.
public struct PluginCommand: Sendable, Hashable {
    /// The program (an absolute path) and its arguments.
    public var arguments: [String]
    /// Variables set for the plugin on top of the few almanac passes through (`PATH`, `HOME`,
    /// `LANG`, `LC_ALL`, `TZ`, `TMPDIR`): never almanac's whole environment, which may hold the
    /// secrets `KEY_env` names.
    public var environment: [String: String]
    public var workingDirectory: String?
    /// From start to `hello`.
    public var startTimeout: Duration
    /// From a request to the first line of its reply, and between two lines of a reply.
    public var requestTimeout: Duration

    public static let defaultStartTimeout: Duration = .seconds(10)
    public static let defaultRequestTimeout: Duration = .seconds(60)
    /// The longest line either side may write, without its newline (16 MiB).
    public static let maxLineLength = 16 << 20

    public init(
        arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
        startTimeout: Duration = Self.defaultStartTimeout, requestTimeout: Duration = Self.defaultRequestTimeout
    ) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.startTimeout = startTimeout
        self.requestTimeout = requestTimeout
    }

    /// The program's base name, as errors name the plugin before its `hello` is known.
    public var programName: String { (arguments.first.map { ($0 as NSString).lastPathComponent }) ?? "?" }

    /// The environment the plugin gets, as `NAME=value` strings.
    func environmentStrings(inherited: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var env: [String: String] = [:]
        for name in ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"] { env[name] = inherited[name] }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for (k, v) in environment { env[k] = v }
        return env.keys.sorted().map { "\($0)=\(env[$0]!)" }
    }
}
