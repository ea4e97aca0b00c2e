import AlmanacCore
import Foundation
import Logging

/// A connector whose work is done by a plugin process over the connector protocol
/// (docs/CONNECTOR-PROTOCOL.md). Making one takes the connection's process from the worker's pool
/// or starts it, and configures it; the process goes back to the pool when the connector is
/// released at the end of the run (`reuse = true`), or is shut down. A plugin that breaks the
/// protocol, times out or dies fails the call with a retryable error and is never reused.
public final class ExecConnector: Connector {
    /// Everything the plugin is told in `configure`.
    public struct Configuration: Sendable {
        public var profile: String
        public var connection: String
        public var side: ConnectorContext.Side
        /// The connection's settings for the plugin (almanac's own keys and secrets left out),
        /// with the job's table under `job`.
        public var settings: JSONObject
        public var secrets: [String: String]
        public var timeZone: String
        /// The job's kind: `configure` says `"kind": "contact"` for contacts (nothing for events).
        public var kind: ItemKind

        public init(
            profile: String, connection: String, side: ConnectorContext.Side, settings: JSONObject,
            secrets: [String: String], timeZone: String, kind: ItemKind = .events
        ) {
            self.kind = kind
            self.profile = profile
            self.connection = connection
            self.side = side
            self.settings = settings
            self.secrets = secrets
            self.timeZone = timeZone
        }

        var message: JSONObject {
            var secretsObject = JSONObject()
            for k in secrets.keys.sorted() { secretsObject[k] = .string(secrets[k]!) }
            var o = JSONObject([
                "profile": .string(profile), "connection": .string(connection), "side": .string(side.rawValue),
                "settings": .object(settings), "secrets": .object(secretsObject), "time_zone": .string(timeZone),
            ])
            if kind == .contacts { o["kind"] = "contact" }
            return o
        }
    }

    /// The plugin process this connector talks to.
    public let process: PluginProcess
    private let poolKey: String?
    private let configured: [UInt8]
    /// What the job moves: items carry `event`, or `contact` for contacts.
    public let itemKind: ItemKind
    /// Keys listed so far in the current listing (a key listed twice: the later is a problem).
    var listedKeys: [String: Int] = [:]
    var listedCount = 0

    /// Takes the process kept under `poolKey` (nil: never pooled) or starts `command`, then asks
    /// `configure(spec)` for the configuration (the secrets the spec names) and sends it.
    /// - Throws: the plugin's start and protocol errors, `exec.plugin_error` when it refuses the settings.
    public init(
        command: PluginCommand, poolKey: String?, logger: Logger,
        configure: (PluginSpec) throws -> Configuration
    ) throws {
        var entry = poolKey.flatMap(PluginPool.take)
        if let e = entry, e.process.command != command || !e.process.isIdleAndSound() { entry = nil }
        let process = try entry?.process ?? PluginProcess(command, logger: logger)
        do {
            let specLine = try process.request("spec", reply: "spec")
            guard let settings = specLine["settings"]?.object else {
                throw AlmanacError(
                    .execBadSpec, "plugin \(process.label): its spec has no settings object; fix the plugin")
            }
            let config = try configure(try PluginSpec(settings: settings, plugin: process.label))
            itemKind = config.kind
            var bytes: [UInt8] = []
            config.message.write(to: &bytes)
            if entry?.configured != bytes { _ = try process.request("configure", config.message, reply: "configured") }
            configured = bytes
        } catch {
            process.shutdown()
            throw error
        }
        self.process = process
        self.poolKey = poolKey
    }

    deinit {
        if let poolKey, process.isAlive {
            PluginPool.put(poolKey, PluginPool.Entry(process: process, configured: configured))
        } else {
            process.shutdown()
        }
    }

    public var hello: PluginHello { process.hello }
    public var capabilities: ConnectorCapabilities { process.hello.capabilities }
    public var fields: Set<EventField> { process.hello.fields ?? Set(EventField.allCases) }
    public var keepsAllDay: Bool { process.hello.keepsAllDay }
    /// The hello's `kinds`: events unless it says otherwise.
    public var kinds: Set<ItemKind> { process.hello.itemKinds }
    public var contactShape: ContactShape { process.hello.contactShape }
    /// The hello's `late_creates`: nil unless it declares one.
    public var lateCreates: LateCreates? { process.hello.lateCreates }

    public func testConnection() -> ConnectionReport {
        do {
            let line = try process.request("test_connection", reply: "test_result")
            let steps = (line["steps"]?.array ?? []).compactMap { v -> ConnectionReport.Step? in
                guard let o = v.object, let name = o.string("name"), let ok = o["ok"]?.bool else { return nil }
                return .init(name: name, ok: ok, detail: o.string("detail") ?? "")
            }
            return ConnectionReport(steps: steps)
        } catch {
            return ConnectionReport(steps: [.init(name: "test_connection", ok: false, detail: "\(error)")])
        }
    }

    /// Sends a request and collects its `item` lines until `end` (`lookup_end`, `test_done`): the
    /// items, and the problems of those that cannot be read.
    func items(_ type: String, _ fields: JSONObject, end: String) throws -> (
        items: [SourceItem], problems: [ItemProblem]
    ) {
        try process.send(type, fields)
        var out: (items: [SourceItem], problems: [ItemProblem]) = ([], [])
        while true {
            let (t, line) = try process.reply(allowed: ["item", end])
            if t == end { break }
            switch try item(line) {
            case .success(let i): out.items.append(i)
            case .failure(let p): out.problems.append(p)
            }
        }
        try process.finish()
        return out
    }

    /// The item of an `item` line, or the problem its event has. - Throws: a violation without a key.
    func item(_ line: JSONObject) throws -> Result<SourceItem, ItemProblem> {
        guard let key = line.string("key"), !key.isEmpty else {
            throw process.protocolViolation("an item without a key", line: line)
        }
        let version = line.string("version")
        do {
            let event = try itemKind.item(line[itemKind.member] ?? .null)
            return .success(SourceItem(key: key, version: version, event: event))
        } catch {
            return .failure(
                ItemProblem(
                    key: key, field: error.field,
                    reason: "plugin \(process.label) sent \(error.field) that \(error.reason)"))
        }
    }

    // MARK: test support (capability `test`, for `almanac connector-test`)

    /// Empties the plugin's store (`test_reset`).
    public func testReset() throws { _ = try process.request("test_reset", reply: "test_done") }

    /// Stores `events` (`contacts` for a contacts job) bypassing the write path (`test_seed`);
    /// their keys, in order.
    public func testSeed(_ events: [Event]) throws -> [String] {
        let line = try process.request(
            "test_seed",
            JSONObject([itemKind == .contacts ? "contacts" : "events": .array(events.map(itemKind.json))]),
            reply: "test_seeded")
        return line["keys"]?.array?.compactMap(\.string) ?? []
    }

    /// Adds one item the plugin cannot map (`test_seed_invalid`, optional in the protocol); the key
    /// or locator its problem names. - Throws: `exec.plugin_error` when the plugin does not implement it.
    public func testSeedInvalid() throws -> String {
        let line = try process.request("test_seed_invalid", reply: "test_seeded")
        guard let key = line["keys"]?.array?.first?.string else {
            throw process.protocolViolation("test_seeded without a key", line: line)
        }
        return key
    }

    /// Everything the plugin stores (`test_dump`), by key.
    public func testDump() throws -> [String: Event] {
        var out: [String: Event] = [:]
        for i in try items("test_dump", JSONObject(), end: "test_done").items { out[i.key] = i.event }
        return out
    }
}
