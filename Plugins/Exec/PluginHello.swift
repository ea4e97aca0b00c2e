import AlmanacCore

/// What a plugin says of itself in its first line (docs/CONNECTOR-PROTOCOL.md §3.1).
public struct PluginHello: Sendable, Equatable {
    public var protocolVersion: Int
    public var name: String
    public var version: String
    public var kinds: [String]
    /// The capability names as written (`read`, `write`, `delete`, `change_feed`, `lookup`,
    /// `write_back`, `test`, and any this almanac does not know).
    public var capabilityNames: [String]
    /// The event fields it stores; nil: all.
    public var fields: Set<EventField>?
    public var keepsAllDay: Bool

    /// The protocol version this almanac speaks.
    public static let protocolVersion = 1

    /// What the engine may ask of it (`test` is no engine capability).
    public var capabilities: ConnectorCapabilities {
        var c: ConnectorCapabilities = []
        for name in capabilityNames {
            switch name {
            case "read": c.insert(.read)
            case "write": c.insert(.write)
            case "delete": c.insert(.delete)
            case "change_feed": c.insert(.changeFeed)
            case "lookup": c.insert(.lookup)
            case "write_back": c.insert(.writeBack)
            default: break
            }
        }
        return c
    }

    /// Whether it implements the `test_*` messages.
    public var supportsTests: Bool { capabilityNames.contains("test") }

    init?(_ o: JSONObject) {
        guard let p = o["protocol"]?.int, let name = o.string("name"), !name.isEmpty, let version = o.string("version"),
            let kinds = o["kinds"]?.array?.compactMap(\.string), kinds.contains("event"),
            let caps = o["capabilities"]?.array
        else { return nil }
        protocolVersion = p
        self.name = name
        self.version = version
        self.kinds = kinds
        capabilityNames = caps.compactMap(\.string)
        if let f = o["fields"]?.array {
            fields = Set(f.compactMap { $0.string.flatMap(EventField.init(rawValue:)) })
        }
        keepsAllDay = o["keeps_all_day"]?.bool ?? true
    }
}
