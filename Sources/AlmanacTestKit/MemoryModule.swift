import AlmanacCore
import Foundation

/// `connector = "memory"`: the reference connector for tests and demos, backed by a JSON file.
///
/// Not in the worker's registry; tests hand it to `ProfileLoader`/`JobRunner` explicitly.
/// Settings of `[connections.NAME]`: `path` (the JSON file, created when missing; required),
/// `assigns_keys` (bool, default false: the create id is the key), `page_size` (default 50),
/// `read_only` (bool, default false).
public enum MemoryModule: ConnectorModule {
    public static let kind = "memory"
    public static let summary = "an in-memory calendar mirrored to a JSON file (tests)"
    public static let connectionSettings: [SettingSpec] = [
        SettingSpec("path", .string, required: true, "JSON file holding the items"),
        SettingSpec("assigns_keys", .bool, "the store assigns keys; create ids go into the origin stamp"),
        SettingSpec("page_size", .integer(1...100_000), "items per page"),
        SettingSpec("read_only", .bool, "only read and change-feed capabilities"),
    ]
    public static let sourceSettings: [SettingSpec] = []
    public static let targetSettings: [SettingSpec] = []
    public static let itemKinds: Set<ItemKind> = [.events, .contacts]

    public static func capabilities(jobSettings: ConfigTable, side: ConnectorContext.Side) -> ConnectorCapabilities {
        [.read, .write, .delete, .changeFeed, .writeBack, .lookup]
    }

    public static func make(_ context: ConnectorContext) throws -> any Connector {
        guard let path = context.connection.string("path") else {
            throw AlmanacError(.configMissingKey, "connection \"\(context.connectionName)\": path is required")
        }
        let url =
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : context.profileDirectory.appendingPathComponent(path)
        var options = MemoryStore.Options()
        options.assignsKeys = context.connection.bool("assigns_keys") ?? false
        options.pageSize = context.connection.integer("page_size") ?? 50
        if context.connection.bool("read_only") == true { options.capabilities = [.read, .changeFeed, .lookup] }
        let store = try MemoryStore(options: options, file: url)
        if !FileManager.default.fileExists(atPath: url.path) { try store.persist() }
        return MemoryConnector(store: store, timeZone: context.timeZone, kind: context.kind)
    }
}
