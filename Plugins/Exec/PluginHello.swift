import AlmanacCore

/// What a plugin says of itself in its first line (docs/CONNECTOR-PROTOCOL.md §3.1).
public struct PluginHello: Sendable, Equatable {
    public var protocolVersion: Int
    public var name: String
    public var version: String
    /// The item kinds as written (`event`, `contact`); absent from the hello: `["event"]`.
    public var kinds: [String]
    /// The capability names as written (`read`, `write`, `delete`, `change_feed`, `lookup`,
    /// `write_back`, `test`, and any this almanac does not know).
    public var capabilityNames: [String]
    /// The event fields it stores; nil: all.
    public var fields: Set<EventField>?
    public var keepsAllDay: Bool
    /// What it stores of a contact (`contact_shape`; absent: everything).
    public var contactShape: ContactShape
    /// `late_creates`: the service picks the keys of what it creates, and a create whose answer
    /// was not seen may land for `window_s` seconds (`Connector.lateCreates`); nil: absent.
    public var lateCreates: LateCreates?

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

    /// The item kinds it carries: `event` → events, `contact` → contacts.
    public var itemKinds: Set<ItemKind> {
        var out: Set<ItemKind> = []
        if kinds.contains("event") { out.insert(.events) }
        if kinds.contains("contact") { out.insert(.contacts) }
        return out
    }

    /// Whether it implements the `test_*` messages.
    public var supportsTests: Bool { capabilityNames.contains("test") }

    init?(_ o: JSONObject) {
        guard let p = o["protocol"]?.int, let name = o.string("name"), !name.isEmpty, let version = o.string("version"),
            let caps = o["capabilities"]?.array
        else { return nil }
        let kinds = o["kinds"].map { $0.array?.compactMap(\.string) ?? [] } ?? ["event"]
        guard kinds.contains("event") || kinds.contains("contact") else { return nil }
        if let shape = o["contact_shape"], !shape.isNull {
            guard let so = shape.object, let parsed = Self.shape(so) else { return nil }
            contactShape = parsed
        } else {
            contactShape = .full
        }
        if let late = o["late_creates"], !late.isNull {
            guard let lo = late.object, let window = lo["window_s"]?.number, window > 0, window <= 86_400,
                let perCall = lo["per_call"]?.int, perCall >= 1
            else { return nil }
            lateCreates = LateCreates(window: window, perCall: perCall)
        }
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

    /// The shape of a `contact_shape` object: a member absent stores that part whole
    /// (`ContactShape.full`); nil when a member has the wrong type or an unknown value.
    static func shape(_ o: JSONObject) -> ContactShape? {
        let full = ContactShape.full
        func flag(_ key: String, _ all: Bool) -> Bool? { o[key].map { $0.bool } ?? all }
        func count(_ key: String, _ all: Int) -> Int? { o[key].map { $0.int.flatMap { $0 >= 0 ? $0 : nil } } ?? all }
        func names<T: RawRepresentable<String>>(_ key: String, _ all: Set<T>) -> Set<T>? {
            guard let v = o[key] else { return all }
            guard let list = v.array?.map({ $0.string.flatMap(T.init(rawValue:)) }), !list.contains(nil) else {
                return nil
            }
            return Set(list.compactMap { $0 })
        }
        guard let nameParts = names("names", full.names), let organization = flag("organization", true),
            let jobTitle = flag("job_title", true), let emails = count("emails", full.emails),
            let emailKinds = count("email_kinds", emails), let phoneKinds = names("phone_kinds", full.phoneKinds),
            let phonesPerKind = count("phones_per_kind", full.phonesPerKind),
            let addressParts = names("address", full.addressParts), let birthday = flag("birthday", true),
            let notes = flag("notes", true), let groups = flag("groups", true), let custom = flag("custom", true)
        else { return nil }
        return ContactShape(
            names: nameParts, organization: organization, jobTitle: jobTitle, emails: emails, emailKinds: emailKinds,
            phoneKinds: phoneKinds, phonesPerKind: phonesPerKind, addressParts: addressParts, birthday: birthday,
            notes: notes, groups: groups, custom: custom)
    }
}
