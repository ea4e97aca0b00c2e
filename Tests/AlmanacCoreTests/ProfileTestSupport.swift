import AlmanacCore
import Foundation
import Testing

/// A connector kind for validation tests: `dsn` required, `password` secret, `[jobs.source]`
/// with a required `query`; writable only when `update` is set.
enum TestDBModule: ConnectorModule {
    static let kind = "testdb"
    static let summary = "test database"
    static let connectionSettings: [SettingSpec] = [
        SettingSpec("dsn", .string, required: true, "data source"),
        SettingSpec("password", .secret, "password"),
        SettingSpec("timeout", .duration, "timeout"),
        SettingSpec("mode", .choice(["fast", "safe"]), "mode"),
    ]
    static let sourceSettings: [SettingSpec] = [
        SettingSpec("query", .string, required: true, "read query"),
        SettingSpec("update", .string, "update statement"),
    ]
    static let targetSettings: [SettingSpec] = []
    static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        jobSettings["update"] != nil ? [.read, .write] : [.read]
    }
    static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError(.configCapability, "not for running")
    }
}

/// A calendar-like kind that can always be written.
enum TestCalendarModule: ConnectorModule {
    static let kind = "testcal"
    static let summary = "test calendar"
    static let connectionSettings: [SettingSpec] = [SettingSpec("calendar_id", .string, required: true, "calendar")]
    static let sourceSettings: [SettingSpec] = []
    static let targetSettings: [SettingSpec] = []
    static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete]
    }
    static func make(_ context: ConnectorContext) throws -> any Connector {
        throw AlmanacError(.configCapability, "not for running")
    }
}

/// A temporary profiles directory, removed when the value is deinitialised.
final class ProfileDir {
    let path: String

    init() {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-core-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o600) -> String {
        let file = path + "/" + name
        let created = FileManager.default.createFile(
            atPath: file, contents: Data(text.utf8),
            attributes: [.posixPermissions: mode])
        precondition(created, "cannot write \(file)")
        return file
    }
}

let testLoader = ProfileLoader(connectors: [TestDBModule.self, TestCalendarModule.self])

/// A valid profile; tests replace or append lines to break one rule at a time.
let validProfile = """
    timezone = "America/Chicago"

    [schedule]
    every = "1h"

    [connections.db]
    connector = "testdb"
    dsn = "clinic"

    [connections.cal]
    connector = "testcal"
    calendar_id = "primary"

    [[jobs]]
    name = "appointments"
    from = "db"
    to = "cal"

    [jobs.source]
    query = "SELECT 1"
    """

/// Loads `text` as `NAME.toml` and returns its issues (empty when valid).
func issues(_ text: String, name: String = "clinic.toml", mode: Int = 0o600, dir: ProfileDir = ProfileDir())
    -> [ConfigIssue]
{
    let file = dir.write(name, text, mode: mode)
    switch testLoader.load(path: file).result {
    case .success: return []
    case .failure(let e): return e.issues
    }
}

/// Loads `text` and returns the profile, failing the test with its issues when invalid.
func profile(_ text: String, mode: Int = 0o600) -> Profile? {
    let dir = ProfileDir()
    let file = dir.write("clinic.toml", text, mode: mode)
    switch testLoader.load(path: file).result {
    case .success(let p): return p
    case .failure(let e):
        Issue.record("unexpected issues: \(e.issues.map(\.description))")
        return nil
    }
}

/// Replaces the first occurrence of `old` in the valid profile.
func variant(_ old: String, _ new: String) -> String {
    precondition(validProfile.contains(old), "fixture does not contain \(old)")
    return validProfile.replacingOccurrences(of: old, with: new)
}

extension [ConfigIssue] {
    /// `(code, path)` pairs, for exact assertions.
    var codesAndPaths: [String] { map { "\($0.code.rawValue) \($0.path)" } }
}
