import AlmanacCore
import AlmanacWire
import AlmanacWorker
import ArgumentParser
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate profiles and print every problem found.",
        discussion: """
            Checks each PATH (a profile file or a directory of NAME.toml files; default: the profiles \
            directory). Prints one line per problem, naming the file and the key. Exits 0 when every \
            profile is valid, 78 (EX_CONFIG) when any is not.
            """
    )

    @Argument(help: "Profile files or directories (default: the profiles directory).")
    var paths: [String] = []

    @Flag(help: "Print the result as JSON (see the README for the format).")
    var json = false

    func run() throws {
        let loader = ConnectorRegistry.loader
        var loaded: [LoadedProfile] = []
        var emptyDirectories: [String] = []
        for path in paths.isEmpty ? [AlmanacPaths.defaults().profiles] : paths {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                let found = try loadDirectory(loader, path)
                if found.isEmpty { emptyDirectories.append(path) }
                loaded += found
            } else {
                loaded.append(loader.load(path: path))
            }
        }
        let report = CheckReport(
            profiles: loaded.map { entry in
                switch entry.result {
                case .success: return .init(name: entry.name, file: entry.path, valid: true, errors: [])
                case .failure(let e):
                    return .init(
                        name: entry.name, file: entry.path, valid: false, errors: e.issues.map(CheckReport.Problem.init)
                    )
                }
            })
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for dir in emptyDirectories { print("\(dir): no profiles (NAME.toml files) found") }
            for entry in loaded {
                switch entry.result {
                case .success: print("\(entry.path): OK")
                case .failure(let e): for issue in e.issues { print(issue.description) }
                }
            }
            let bad = report.profiles.filter { !$0.valid }.count
            if !loaded.isEmpty {
                print(
                    "\(loaded.count) profile\(loaded.count == 1 ? "" : "s") checked: \(loaded.count - bad) valid, \(bad) invalid"
                )
            }
        }
        if !report.valid { throw AlmanacExit.config }
    }

    private func loadDirectory(_ loader: ProfileLoader, _ path: String) throws -> [LoadedProfile] {
        do {
            return try loader.loadDirectory(path)
        } catch let error as AlmanacError {
            FileHandle.standardError.write(Data("almanac check: \(error.message)\n".utf8))
            throw AlmanacExit.config
        }
    }
}
