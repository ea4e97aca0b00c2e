import Foundation

/// Turns a parsed profile table into a `Profile`, reporting every problem to `diagnostics`.
struct ProfileValidator {
    let connectors: [String: any ConnectorModule.Type]
    let diagnostics: Diagnostics
    let fileIsPrivate: Bool
    let directory: URL
    /// The settings connections gave of themselves (`ConnectorModule.settings(connection:)`), by name.
    let ownSettings = OwnSettings()

    final class OwnSettings {
        var byConnection: [String: ConnectionSettings] = [:]
    }

    static let connectionNamePattern = "letters, digits, '_' and '-'"

    func validate(name: String, path: String, table: ConfigTable, hash: String) -> Profile? {
        let root = ConfigScope(table, path: KeyPath(), diagnostics: diagnostics)
        let enabled = root.bool("enabled") ?? true
        let zone = timeZone(root)
        let schedule = self.schedule(root)
        let notify = root.table("notify").flatMap(self.notify)
        let retention = root.table("history").map(self.historyRetention)
        let generatedFrom = root.table("generated").flatMap(self.generated)
        let region = defaultRegion(root)
        let connections = self.connections(root)
        var jobs: [JobConfig] = []
        let jobScopes = root.tables("jobs")
        if jobScopes.isEmpty && root.table["jobs"] == nil {
            diagnostics.report(.configMissingKey, at: "jobs", "a profile needs at least one [[jobs]] table")
        }
        var jobNames: Set<String> = []
        for scope in jobScopes {
            if let job = self.job(scope, connections: connections) {
                if !jobNames.insert(job.name).inserted {
                    scope.report(.configInvalidValue, "name", "duplicate job name \"\(job.name)\"")
                }
                jobs.append(job)
            }
        }
        root.finish()
        guard let zone, let schedule else { return nil }
        return Profile(
            name: name, path: path, enabled: enabled, timeZone: zone, schedule: schedule, notify: notify,
            connections: connections.compactMapValues { $0 }, jobs: jobs, configHash: hash,
            historyRetention: (retention ?? nil) ?? Profile.defaultHistoryRetention, generatedFrom: generatedFrom,
            defaultRegion: region)
    }

    /// `[generated] template = "T"`: written by `almanac new` and `POST /v1/profiles` (README "Templates").
    private func generated(_ scope: ConfigScope) -> String? {
        defer { scope.finish() }
        return scope.string("template", required: true)
    }

    /// `[history] retention`: at least a day.
    private func historyRetention(_ scope: ConfigScope) -> Duration? {
        defer { scope.finish() }
        guard let d = scope.duration("retention") else { return nil }
        guard d >= .seconds(86_400) else {
            scope.report(.configInvalidValue, "retention", "must be at least 1d, got \(d.compactDescription)")
            return nil
        }
        return d
    }

    private func timeZone(_ root: ConfigScope) -> TimeZone? {
        guard let id = root.string("timezone", required: true) else { return nil }
        if id == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(id), let tz = TimeZone(identifier: id) {
            return tz
        }
        var msg = "\"\(id)\" is not an IANA time zone (e.g. \"America/Chicago\", \"Europe/Berlin\", \"UTC\")"
        if let near = closestMatch(to: id, in: TimeZone.knownTimeZoneIdentifiers) {
            msg += "; did you mean \"\(near)\"?"
        }
        root.report(.configInvalidValue, "timezone", msg)
        return nil
    }

    private func schedule(_ root: ConfigScope) -> Schedule? {
        guard let scope = root.table("schedule") else {
            return root.table["schedule"] == nil ? .default : nil
        }
        defer { scope.finish() }
        let every = scope.duration("every")
        let at = scope.strings("at")
        let jitter = scope.duration("jitter")
        if scope.table["every"] != nil && scope.table["at"] != nil {
            scope.report(.configInvalidValue, "at", "give either every or at, not both")
            return nil
        }
        let manual = scope.bool("manual") ?? false
        if manual && (scope.table["every"] != nil || scope.table["at"] != nil) {
            scope.report(.configInvalidValue, "manual", "manual = true runs only on demand: remove every/at")
            return nil
        }
        var trigger: Schedule.Trigger
        if let every {
            guard every >= .seconds(60) else {
                scope.report(.configInvalidValue, "every", "must be at least 1m, got \(every.compactDescription)")
                return nil
            }
            trigger = .every(every)
        } else if let at {
            var times: [LocalTime] = []
            for (i, s) in at.enumerated() {
                guard let t = LocalTime(string: s) else {
                    diagnostics.report(
                        .configInvalidValue, at: scope.path.appending("at").index(i).description,
                        "expected a time of day like \"04:00\" or \"12:30\", got \"\(s)\"")
                    return nil
                }
                times.append(t)
            }
            if times.isEmpty {
                scope.report(.configInvalidValue, "at", "must list at least one time")
                return nil
            }
            trigger = .at(Array(Set(times)).sorted())
        } else if manual {
            trigger = .manual
        } else if scope.table["every"] == nil && scope.table["at"] == nil {
            trigger = Schedule.default.trigger
        } else {
            return nil
        }
        let defaultJitter: Duration
        if case .every(let d) = trigger { defaultJitter = min(d / 10, .seconds(300)) } else { defaultJitter = .zero }
        return Schedule(trigger: trigger, jitter: jitter ?? defaultJitter)
    }

    /// Connections by name; nil values are connections that failed validation (so jobs naming
    /// them do not also report "unknown connection").
    private func connections(_ root: ConfigScope) -> [String: ConnectionConfig?] {
        guard let scope = root.table("connections", required: true) else { return [:] }
        var out: [String: ConnectionConfig?] = [:]
        for name in scope.table.keys {
            guard let conn = scope.table(name) else { out[name] = .some(nil); continue }
            if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
                diagnostics.report(
                    .configInvalidValue, at: conn.path.description,
                    "connection names use \(Self.connectionNamePattern)")
            }
            out[name] = .some(connection(name: name, scope: conn))
        }
        if out.isEmpty { root.report(.configMissingKey, "connections", "define at least one [connections.NAME] table") }
        return out
    }

    private func connection(name: String, scope: ConfigScope) -> ConnectionConfig? {
        defer { scope.finish() }
        guard let kind = scope.string("connector", required: true) else {
            scope.allow(scope.table.keys)  // without a kind, its settings cannot be judged
            return nil
        }
        guard let module = connectors[kind] else {
            var msg = "unknown connector \"\(kind)\"; known: \(connectors.keys.sorted().joined(separator: ", "))"
            if let near = closestMatch(to: kind, in: connectors.keys) { msg += " (did you mean \"\(near)\"?)" }
            scope.report(.configUnknownConnector, "connector", msg)
            scope.allow(scope.table.keys)
            return nil
        }
        let before = diagnostics.issues.count
        SettingsChecker(scope: scope, fileIsPrivate: fileIsPrivate, directory: directory).check(
            module.connectionSettings)
        scope.directory = directory
        module.validate(connection: scope, profileFileIsPrivate: fileIsPrivate)
        if diagnostics.issues.count == before, let own = module.settings(connection: scope) {
            SettingsChecker(scope: scope, fileIsPrivate: fileIsPrivate, directory: directory).check(own.connection)
            ownSettings.byConnection[name] = own
        }
        var settings = scope.table
        settings["connector"] = nil
        return diagnostics.issues.count == before
            ? ConnectionConfig(name: name, connector: kind, settings: settings) : nil
    }

    private func job(_ scope: ConfigScope, connections: [String: ConnectionConfig?]) -> JobConfig? {
        defer { scope.finish() }
        let before = diagnostics.issues.count
        let name = scope.string("name", required: true)
        if let name, !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            scope.report(.configInvalidValue, "name", "job names use \(Self.connectionNamePattern), got \"\(name)\"")
        }
        let from = connectionRef(scope, "from", connections)
        let to = connectionRef(scope, "to", connections)
        if let f = scope.table.string("from"), f == scope.table.string("to") {
            scope.report(.configInvalidValue, "to", "from and to name the same connection \"\(f)\"")
        }
        let direction =
            scope.choice("direction", SyncDirection.allCases.map(\.rawValue)).flatMap(SyncDirection.init)
            ?? .oneWay
        let window = self.window(scope)
        let conflict =
            scope.choice("conflict", ConflictPolicy.allCases.map(\.rawValue)).flatMap(ConflictPolicy.init)
            ?? .fromWins
        var toOwns: Set<EventField> = []
        if let owned = scope.strings("to_owns") {
            for (i, f) in owned.enumerated() {
                if let field = EventField(rawValue: f) {
                    toOwns.insert(field)
                } else {
                    diagnostics.report(
                        .configInvalidValue, at: scope.path.appending("to_owns").index(i).description,
                        "unknown field \"\(f)\"; fields: \(EventField.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
        }
        let apply = applyFlags(scope, "apply", default: ApplyFlags(create: true, update: true, delete: true))
        let applyBack = applyFlags(scope, "apply_back", default: ApplyFlags(create: false, update: true, delete: false))
        if direction == .oneWay && scope.table["apply_back"] != nil {
            scope.report(
                .configInvalidValue, "apply_back",
                "only two-way jobs write back: set direction = \"two-way\" or remove apply_back")
        }
        let includeTentative = scope.bool("include_tentative") ?? false
        let template = scope.string("title_template")
        if let template, let problem = TitleTemplate.problem(in: template) {
            scope.report(.configInvalidValue, "title_template", problem)
        }
        var phones: [PhoneKind] = [.mobile, .home, .work, .other]
        if let list = scope.strings("phone_priority") {
            phones = []
            for (i, p) in list.enumerated() {
                if let k = PhoneKind(rawValue: p), k != .other {
                    phones.append(k)
                } else {
                    diagnostics.report(
                        .configInvalidValue, at: scope.path.appending("phone_priority").index(i).description,
                        "must be mobile, home or work, got \"\(p)\"")
                }
            }
        }
        let massDelete = scope.integer("mass_delete_percent", range: 0...100) ?? 20
        let massDeleteMin = scope.integer("mass_delete_min", range: 1...Int.max) ?? 3
        let contacts = contactSettings(scope, from: from, to: to)
        let match = contacts.kind == .events ? self.match(scope) : MatchField.defaults
        let outbound = directionPolicy(scope)
        let source = sideSettings(scope, "source", connection: from, side: .from)
        let target = sideSettings(scope, "target", connection: to, side: .to)
        let conflicts = conflictFields(scope)
        let recurrence = recurrenceMode(scope)

        if direction == .twoWay, let from, let module = connectors[from.connector] {
            let caps =
                ownSettings.byConnection[from.name]?.capabilities
                ?? module.capabilities(jobSettings: source, side: .from)
            if caps.isDisjoint(with: [.write, .writeBack]) {
                scope.report(
                    .configCapability, "direction",
                    "two-way needs a writable from side, but connection \"\(from.name)\" (\(from.connector)) with these [jobs.source] settings cannot write; use one-way or configure its write statements"
                )
            }
        }
        if let to, let module = connectors[to.connector] {
            let caps =
                ownSettings.byConnection[to.name]?.capabilities ?? module.capabilities(jobSettings: target, side: .to)
            if !caps.contains(.write) {
                scope.report(
                    .configCapability, "to",
                    "connection \"\(to.name)\" (\(to.connector)) cannot be written to with these [jobs.target] settings"
                )
            }
        }
        guard diagnostics.issues.count == before, let name, let from, let to, let window, let outbound else {
            return nil
        }
        var job = JobConfig(
            name: name, from: from.name, to: to.name, direction: direction, window: window, conflict: conflict,
            toOwns: toOwns, apply: apply, applyBack: applyBack, includeTentative: includeTentative,
            titleTemplate: template, phonePriority: phones, massDeletePercent: massDelete,
            massDeleteMin: massDeleteMin,
            source: source, target: target, match: match, outbound: outbound, conflicts: conflicts,
            kind: contacts.kind, groups: contacts.groups, contactMatch: contacts.match)
        job.recurrence = recurrence
        return job
    }

    private func connectionRef(_ scope: ConfigScope, _ key: String, _ connections: [String: ConnectionConfig?])
        -> ConnectionConfig?
    {
        guard let name = scope.string(key, required: true) else { return nil }
        guard let entry = connections[name] else {
            var msg = "no connection named \"\(name)\"; defined: \(connections.keys.sorted().joined(separator: ", "))"
            if let near = closestMatch(to: name, in: connections.keys) { msg += " (did you mean \"\(near)\"?)" }
            scope.report(.configUnknownConnection, key, msg)
            return nil
        }
        return entry
    }

    private func window(_ scope: ConfigScope) -> WindowConfig? {
        guard let w = scope.table("window") else { return scope.table["window"] == nil ? WindowConfig() : nil }
        defer { w.finish() }
        let d = WindowConfig()
        let past = w.integer("past_days", range: 0...3_660)
        let future = w.integer("future_days", range: 0...3_660)
        let chunk = w.integer("chunk_days", range: 1...3_660)
        let given: [(String, Int?)] = [("past_days", past), ("future_days", future), ("chunk_days", chunk)]
        let failed = given.contains { key, value in value == nil && w.table[key] != nil }
        if failed { return nil }
        let result = WindowConfig(
            pastDays: past ?? d.pastDays, futureDays: future ?? d.futureDays,
            chunkDays: chunk ?? d.chunkDays)
        if result.pastDays + result.futureDays == 0 {
            w.report(.configInvalidValue, "future_days", "the window is empty: past_days + future_days must be > 0")
            return nil
        }
        return result
    }

    private func applyFlags(_ scope: ConfigScope, _ key: String, default d: ApplyFlags) -> ApplyFlags {
        guard let t = scope.table(key) else { return d }
        defer { t.finish() }
        return ApplyFlags(
            create: t.bool("create") ?? d.create, update: t.bool("update") ?? d.update,
            delete: t.bool("delete") ?? d.delete)
    }

    private func sideSettings(
        _ scope: ConfigScope, _ key: String, connection: ConnectionConfig?,
        side: ConnectorContext.Side
    ) -> ConfigTable {
        guard let t = scope.table(key) else { return ConfigTable() }
        guard let connection, let module = connectors[connection.connector] else {
            t.allow(t.table.keys)  // the connection's own error is already reported
            return t.table
        }
        let own = ownSettings.byConnection[connection.name]
        SettingsChecker(scope: t, fileIsPrivate: fileIsPrivate, directory: directory)
            .check(
                side == .from
                    ? module.sourceSettings + (own?.source ?? []) : module.targetSettings + (own?.target ?? []))
        module.validate(jobSettings: t, side: side)
        t.finish()
        return t.table
    }
}

/// Checks a table against a connector's declared settings.
struct SettingsChecker {
    let scope: ConfigScope
    let fileIsPrivate: Bool
    let directory: URL

    func check(_ specs: [SettingSpec]) {
        for spec in specs {
            switch spec.kind {
            case .string: _ = scope.string(spec.key, required: spec.required)
            case .integer(let range): _ = scope.integer(spec.key, required: spec.required, range: range)
            case .bool: _ = scope.bool(spec.key, required: spec.required)
            case .duration: _ = scope.duration(spec.key, required: spec.required)
            case .strings: _ = scope.strings(spec.key, required: spec.required)
            case .choice(let options): _ = scope.choice(spec.key, options, required: spec.required)
            case .stringTable:
                if let t = scope.table(spec.key, required: spec.required) {
                    for k in t.table.keys { _ = t.string(k) }
                }
            case .secret:
                Secrets.validate(
                    spec.key, in: scope, required: spec.required, fileIsPrivate: fileIsPrivate,
                    relativeTo: directory)
            case .existingPath:
                if let p = scope.string(spec.key, required: spec.required) {
                    let url = URL(fileURLWithPath: p, relativeTo: directory)
                    if !FileManager.default.fileExists(atPath: url.path) {
                        scope.report(.configInvalidValue, spec.key, "\(url.path) does not exist")
                    }
                }
            }
        }
    }
}
