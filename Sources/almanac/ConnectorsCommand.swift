import AlmanacCore
import AlmanacWorker
import ArgumentParser
import Foundation

struct ConnectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectors",
        abstract: "List every connector kind: the built-ins and the exec plugins found.",
        discussion: """
            Plugins are the executable files in ALMANAC_CONNECTOR_PATH (directories separated by :), or, \
            when it is not set, in /usr/lib/almanac/connectors and $XDG_DATA_HOME/almanac/connectors \
            (default ~/.local/share/almanac/connectors). Each is started and asked for its hello; one that \
            does not answer within --timeout is listed with its error. Use a plugin in a profile with \
            connector = "exec" and command = ["PATH"].
            """)

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Seconds each plugin may take to answer (hello and spec).")
    var timeout = 5

    struct Listing: Codable {
        var builtin: [BuiltIn]
        var plugins: [Plugin]
    }

    struct BuiltIn: Codable {
        var kind: String
        var summary: String
    }

    struct Plugin: Codable {
        var path: String
        var hello: PluginDescription?
        var error: String?
    }

    func run() throws {
        let builtin = ConnectorRegistry.modules.map { BuiltIn(kind: $0.kind, summary: $0.summary) }
        let plugins = Self.pluginFiles().map { path in
            do {
                return Plugin(path: path, hello: try PluginSession.describe([path], startTimeout: .seconds(timeout)).0)
            } catch let e as AlmanacError {
                return Plugin(path: path, error: "\(e.code.rawValue): \(e.message)")
            } catch {
                return Plugin(path: path, error: "\(error)")
            }
        }
        let listing = Listing(builtin: builtin, plugins: plugins)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            print(String(decoding: try encoder.encode(listing), as: UTF8.self))
            return
        }
        print("built-in:")
        let width = builtin.map(\.kind.count).max() ?? 0
        for b in builtin { print("  \(b.kind.padding(toLength: width, withPad: " ", startingAt: 0))  \(b.summary)") }
        print("plugins (connector = \"exec\"):")
        if plugins.isEmpty { print("  none in \(Self.directories().joined(separator: ", "))") }
        for p in plugins {
            if let h = p.hello {
                print("  \(p.path)  \(h.name) \(h.version): \(h.capabilities.joined(separator: ", "))")
            } else {
                print("  \(p.path)  FAILED: \(p.error ?? "")")
            }
        }
    }

    /// Where plugins are looked for, in order.
    static func directories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let path = environment["ALMANAC_CONNECTOR_PATH"] {
            return path.split(separator: ":").map(String.init)
        }
        let data =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return ["/usr/lib/almanac/connectors", data + "/almanac/connectors"]
    }

    /// The executable regular files (symbolic links followed) of `directories()`, dotfiles left
    /// out, sorted by name within each directory.
    static func pluginFiles() -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for dir in directories() {
            let names = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            for name in names {
                let path = dir + "/" + name
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: path)
                {
                    out.append(path)
                }
            }
        }
        return out
    }
}
