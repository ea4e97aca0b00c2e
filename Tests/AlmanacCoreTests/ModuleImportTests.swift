import Foundation
import Testing

/// The import rules of docs/ARCHITECTURE.md ("Modules"), checked on the source tree: each module may import
/// only the modules listed for it here, besides the system ones. `swift build
/// --explicit-target-dependency-import-check error` (what `make test` builds with) keeps imports and
/// Package.swift in step; this test keeps Package.swift and the architecture in step.
@Suite("Module imports", .timeLimit(.minutes(10)))
struct ModuleImportTests {
    /// Modules every module may import.
    static let system: Set<String> = [
        "Foundation", "FoundationEssentials", "Glibc", "Musl", "Dispatch", "Synchronization",
    ]

    /// Connector modules: imported by the worker's registry (and the tests and benchmarks) only.
    static let connectors: Set<String> = [
        "ODBCConnector", "CSVConnector", "XMLConnector", "GoogleCalendarConnector", "GoogleContactsConnector",
        "CronofyConnector", "ExecConnector", "FileConnectorSupport", "RowMapping",
    ]

    /// Source folder → its module name and the modules (besides `system`) it may import.
    static let rules: [String: (module: String, may: Set<String>)] = [
        "Sources/AlmanacCore": ("AlmanacCore", ["Logging", "Mustache", "TOMLKit"]),
        "Sources/AlmanacSync": ("AlmanacSync", ["AlmanacCore", "GRDB", "Logging"]),
        "Sources/AlmanacWire": ("AlmanacWire", ["AlmanacCore"]),
        "Sources/AlmanacHTTP": ("AlmanacHTTP", ["AlmanacCore", "CCurl", "Logging"]),
        "Sources/AlmanacNotify": ("AlmanacNotify", ["AlmanacCore", "AlmanacHTTP", "Logging"]),
        "Sources/AlmanacSupervisor": (
            "AlmanacSupervisor", ["AlmanacCore", "AlmanacWire", "AlmanacNotify", "CProcessControl", "Logging"]
        ),
        "Sources/AlmanacWorker": (
            "AlmanacWorker",
            connectors.union([
                "AlmanacCore", "AlmanacSync", "AlmanacWire", "AlmanacNotify", "AlmanacHTTP", "CProcessControl",
                "Logging",
            ])
        ),
        "Sources/AlmanacTestKit": ("AlmanacTestKit", ["AlmanacCore", "AlmanacSync", "Logging"]),
        "Sources/FakeCalendars": ("FakeCalendars", ["AlmanacCore"]),
        "Sources/almanac": (
            "almanac",
            [
                "AlmanacCore", "AlmanacWire", "AlmanacWorker", "AlmanacSupervisor", "AlmanacHTTP", "AlmanacNotify",
                "AlmanacTestKit", "ArgumentParser", "Logging",
            ]
        ),
        "Sources/almanac-crashtest": ("almanac-crashtest", ["AlmanacCore", "AlmanacSync", "AlmanacTestKit"]),
        "Sources/almanac-fakes": ("almanac-fakes", ["FakeCalendars", "ArgumentParser"]),
        "Plugins/ODBC": ("ODBCConnector", ["AlmanacCore", "CODBC", "Logging", "RowMapping"]),
        "Plugins/RowMapping": ("RowMapping", ["AlmanacCore"]),
        "Plugins/FileSupport": ("FileConnectorSupport", ["AlmanacCore", "Logging", "RowMapping"]),
        "Plugins/CSV": ("CSVConnector", ["AlmanacCore", "FileConnectorSupport", "Logging", "RowMapping"]),
        "Plugins/XML": ("XMLConnector", ["AlmanacCore", "FileConnectorSupport", "CLibXML2", "Logging", "RowMapping"]),
        "Plugins/GoogleCalendar": ("GoogleCalendarConnector", ["AlmanacCore", "AlmanacHTTP", "Logging"]),
        "Plugins/GoogleContacts": ("GoogleContactsConnector", ["AlmanacCore", "AlmanacHTTP", "Logging"]),
        "Plugins/Cronofy": ("CronofyConnector", ["AlmanacCore", "AlmanacHTTP", "Logging"]),
        "Plugins/Exec": ("ExecConnector", ["AlmanacCore", "CProcessControl", "Logging"]),
    ]

    /// C shims: folders with no Swift sources.
    static let cShims: Set<String> = [
        "Sources/CCurl", "Sources/CODBC", "Sources/CLibXML2", "Sources/CProcessControl", "Sources/CLazyLibraries",
    ]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyModuleFolderHasARule() throws {
        var folders: [String] = []
        for top in ["Sources", "Plugins"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(top).path)
            folders += names.filter { !$0.hasPrefix(".") }.map { "\(top)/\($0)" }
        }
        let unruled = folders.filter { Self.rules[$0] == nil && !Self.cShims.contains($0) }.sorted()
        #expect(unruled.isEmpty, "module folders without an import rule here and in docs/ARCHITECTURE.md: \(unruled)")
    }

    @Test(arguments: rules.keys.sorted())
    func importsFollowTheArchitecture(folder: String) throws {
        let rule = try #require(Self.rules[folder])
        let imports = try Self.imports(under: Self.root.appendingPathComponent(folder))
        let forbidden = imports.filter { !Self.system.contains($0.module) && !rule.may.contains($0.module) }
        #expect(
            forbidden.isEmpty,
            "\(rule.module) may not import: \(forbidden.map { "\($0.module) (\($0.file))" }.sorted())")
    }

    /// The rules themselves say what the architecture forbids; a change that loosens one must be deliberate.
    @Test func theCoreRulesHold() {
        let all = Self.rules.values.reduce(into: [String: Set<String>]()) { $0[$1.module] = $1.may }
        let cModules: Set<String> = ["CCurl", "CODBC", "CLibXML2", "CProcessControl", "CLazyLibraries"]
        #expect(all["AlmanacCore"]!.isDisjoint(with: cModules.union(Self.connectors)))
        #expect(all["AlmanacSync"]!.isDisjoint(with: Self.connectors.union(["AlmanacHTTP", "CCurl", "AlmanacWorker"])))
        #expect(all["AlmanacSupervisor"]!.isDisjoint(with: Self.connectors.union(["AlmanacSync", "AlmanacHTTP"])))
        for c in Self.connectors {
            #expect(all[c]!.isDisjoint(with: ["AlmanacSync", "AlmanacWorker", "AlmanacSupervisor", "AlmanacWire"]))
        }
    }

    @Test func aForbiddenImportIsFound() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "import Foundation\n@preconcurrency import CCurl\n  @testable import AlmanacSync\n// import GRDB\n"
            .write(to: dir.appendingPathComponent("A.swift"), atomically: true, encoding: .utf8)
        #expect(try Self.imports(under: dir).map(\.module).sorted() == ["AlmanacSync", "CCurl", "Foundation"])
    }

    /// Every `import M` (with attributes, `struct`/`func` kinds, submodules) in the Swift files under `dir`.
    static func imports(under dir: URL) throws -> [(module: String, file: String)] {
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                var words = line.split(separator: " ").map(String.init)
                while let w = words.first, w.hasPrefix("@") || ["public", "internal", "package"].contains(w) {
                    words.removeFirst()
                }
                guard words.first == "import", words.count >= 2 else { continue }
                let kinds: Set<String> = ["struct", "class", "enum", "func", "var", "let", "protocol", "typealias"]
                let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
                found.append((String(path.split(separator: ".")[0]), url.lastPathComponent))
            }
        }
        return found
    }
}
