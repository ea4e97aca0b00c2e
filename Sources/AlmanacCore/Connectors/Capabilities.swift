/// What a connector can do. The engine never asks a connector for an operation it lacks.
public struct ConnectorCapabilities: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `read` lists items of a window.
    public static let read = ConnectorCapabilities(rawValue: 1 << 0)
    /// `write` accepts `.create` and `.update`.
    public static let write = ConnectorCapabilities(rawValue: 1 << 1)
    /// `write` accepts `.delete`.
    public static let delete = ConnectorCapabilities(rawValue: 1 << 2)
    /// `read` can return deltas from a cursor (deletions as tombstones).
    public static let changeFeed = ConnectorCapabilities(rawValue: 1 << 3)
    /// `write` accepts `.confirm` and `.cancel` (write-back statements).
    public static let writeBack = ConnectorCapabilities(rawValue: 1 << 4)
    /// `lookup` finds items by key wherever they are in time (absence is checked before a delete).
    public static let lookup = ConnectorCapabilities(rawValue: 1 << 5)
    /// Write-back statements may run again for an item without harm (declared by the profile).
    /// Without it, a write-back the engine has no record of (lost state) is sent only when the
    /// item as read does not already show it.
    public static let idempotentWriteBack = ConnectorCapabilities(rawValue: 1 << 6)

    public var names: [String] {
        var out: [String] = []
        if contains(.read) { out.append("read") }
        if contains(.write) { out.append("write") }
        if contains(.delete) { out.append("delete") }
        if contains(.changeFeed) { out.append("change-feed") }
        if contains(.writeBack) { out.append("write-back") }
        if contains(.lookup) { out.append("lookup") }
        if contains(.idempotentWriteBack) { out.append("idempotent-write-back") }
        return out
    }
}
